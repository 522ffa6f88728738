import { AppError } from './app-error.ts';
import type { ErrorCode } from './error-codes.ts';

/** The error object a model sees in `structuredContent.error` (snake_case: it is wire format). */
export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  details?: Record<string, unknown>;
  /** Present on INTERNAL errors so an operator can find the logged stack. */
  request_id?: string;
}

/** A CallToolResult carrying a business or validation failure (MCP spec 2025-11-25: tool execution errors). */
export interface ToolErrorResult {
  [key: string]: unknown;
  isError: true;
  content: Array<{ type: 'text'; text: string }>;
  structuredContent: { error: ErrorPayload };
}

/** A JSON-RPC error object (`error` member of a response). */
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** JSON-RPC codes used where a protocol error is due (docs/architecture.md §4). */
export const JSON_RPC = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** Implementation-defined server error (JSON-RPC reserves -32000..-32099); `data.code` says which. */
  SERVER_ERROR: -32000,
  REQUEST_TIMEOUT: -32001,
  RESOURCE_NOT_FOUND: -32002,
} as const;

/**
 * Normalises anything thrown into an {@link ErrorPayload}. An AppError keeps its code, message and details;
 * anything else becomes INTERNAL with a generic message and the request id — never a driver message, SQL,
 * host name or stack (those belong in the log, which the caller of this function writes).
 */
export function toErrorPayload(error: unknown, requestId?: string): ErrorPayload {
  if (AppError.is(error) && error.code !== 'INTERNAL') {
    const payload: ErrorPayload = { code: error.code, message: error.message, retryable: error.retryable };
    if (error.details !== undefined) payload.details = error.details;
    return payload;
  }
  const payload: ErrorPayload = {
    code: 'INTERNAL',
    message: requestId
      ? `An internal error occurred. It has been logged; quote request id ${requestId} when reporting it.`
      : 'An internal error occurred. It has been logged.',
    retryable: false,
  };
  if (requestId) payload.request_id = requestId;
  return payload;
}

/** The single conversion of a failure into an MCP tool result with `isError: true`. */
export function toToolErrorResult(error: unknown, requestId?: string): ToolErrorResult {
  const payload = toErrorPayload(error, requestId);
  return {
    isError: true,
    content: [{ type: 'text', text: JSON.stringify({ error: payload }) }],
    structuredContent: { error: payload },
  };
}

const JSON_RPC_CODE_OF: Partial<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: JSON_RPC.INVALID_PARAMS,
  NOT_FOUND: JSON_RPC.RESOURCE_NOT_FOUND,
  TIMEOUT: JSON_RPC.REQUEST_TIMEOUT,
};

/**
 * Converts a failure of a non-tool request (resources/read, prompts/get, unknown tool) into a JSON-RPC
 * error. The mcpfed code travels in `data.code` so clients can switch on the same closed set.
 */
export function toJsonRpcError(error: unknown, requestId?: string): JsonRpcErrorObject {
  const payload = toErrorPayload(error, requestId);
  return {
    code: JSON_RPC_CODE_OF[payload.code] ?? (payload.code === 'INTERNAL' ? JSON_RPC.INTERNAL_ERROR : JSON_RPC.SERVER_ERROR),
    message: payload.message,
    data: payload,
  };
}
