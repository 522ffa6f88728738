import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ErrorPayload } from '@mcpfed/errors';

/** A `tools/call` result as the SDK client returns it (the members tests read). */
export interface ToolCallResult {
  /** `true` on a tool execution error; absent (or `false`) on success. */
  isError?: boolean;
  /** The structured result: the contract's output on success, `{ error }` on failure. */
  structuredContent?: Record<string, unknown>;
  /** The content blocks; our servers mirror `structuredContent` as one JSON text block. */
  content: Array<Record<string, unknown>>;
}

/** The structured error of a failed call (`structuredContent.error`, docs/architecture.md §4). */
export type ToolErrorPayload = ErrorPayload;

/** The tool's whole result as JSON, so a failed expectation shows what the tool actually answered. */
function describeResult(result: ToolCallResult): string {
  return JSON.stringify({ isError: result.isError, structuredContent: result.structuredContent, content: result.content });
}

function isErrorPayload(value: unknown): value is ToolErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate['code'] === 'string' && typeof candidate['message'] === 'string' && typeof candidate['retryable'] === 'boolean';
}

/**
 * Calls tool `name` with `args` through the SDK client and returns the raw result, whether it succeeded or not.
 * Protocol errors (unknown tool rejected by the server, transport failure) reject as the SDK does.
 */
export async function callTool(client: Client, name: string, args: Record<string, unknown>): Promise<ToolCallResult> {
  return (await client.callTool({ name, arguments: args })) as ToolCallResult;
}

/**
 * Calls a tool that must succeed and returns its `structuredContent` as `T`. Rejects, with the tool's actual
 * result in the message, when the call reports `isError`, carries no structured content, or its first content
 * block is not exactly the JSON text of the structured content.
 */
export async function expectToolOk<T = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown>): Promise<T> {
  const result = await callTool(client, name, args);
  if (result.isError) throw new Error(`${name} failed: ${describeResult(result)}`);
  if (result.structuredContent === undefined) throw new Error(`${name} returned no structured content: ${describeResult(result)}`);
  const block = result.content[0];
  const members = block === undefined ? [] : Object.keys(block).filter((key) => block[key] !== undefined);
  const mirrored = block !== undefined && members.length === 2 && block['type'] === 'text' && block['text'] === JSON.stringify(result.structuredContent);
  if (!mirrored) throw new Error(`${name}: the first content block is not the JSON text of the structured content: ${describeResult(result)}`);
  return result.structuredContent as T;
}

/**
 * Calls a tool that must fail and returns its structured error payload (`structuredContent.error`). Rejects,
 * with the tool's actual result in the message, when the call succeeds or fails without that envelope.
 */
export async function expectToolError(client: Client, name: string, args: Record<string, unknown>): Promise<ToolErrorPayload> {
  const result = await callTool(client, name, args);
  if (!result.isError) throw new Error(`${name} unexpectedly succeeded: ${describeResult(result)}`);
  const error = result.structuredContent?.['error'];
  if (!isErrorPayload(error)) throw new Error(`${name} failed without an error envelope: ${describeResult(result)}`);
  return error;
}
