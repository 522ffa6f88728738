export { AppError } from './app-error.ts';
export type { AppErrorOptions } from './app-error.ts';
export { ERROR_CODES, isErrorCode, isRetryableCode } from './error-codes.ts';
export type { ErrorCode } from './error-codes.ts';
export { JSON_RPC, toErrorPayload, toJsonRpcError, toToolErrorResult } from './wire.ts';
export type { ErrorPayload, JsonRpcErrorObject, ToolErrorResult } from './wire.ts';
export { optionSchemas } from './option-schemas.ts';
export { parseOptions } from './parse-options.ts';
