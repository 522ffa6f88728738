import { JSON_RPC } from '@mcpfed/errors';
import { storableText } from './storable-text.ts';

/** Members a JSON-RPC request or notification may have (MCP messages are strict about it). */
const MESSAGE_MEMBERS: ReadonlySet<string> = new Set(['jsonrpc', 'id', 'method', 'params']);
const RELATED_TASK = 'io.modelcontextprotocol/related-task';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isRequestId(value: unknown): value is string | number {
  return typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value));
}

/** A member name safe to quote in a message. */
function quoted(name: string): string {
  return JSON.stringify(storableText(name, 40));
}

function metaProblem(meta: unknown): string | undefined {
  if (!isPlainObject(meta)) return 'params._meta must be an object';
  const token = meta['progressToken'];
  if (token !== undefined && !isRequestId(token)) return 'params._meta.progressToken must be a string or an integer';
  const task = meta[RELATED_TASK];
  if (task !== undefined && (!isPlainObject(task) || typeof task['taskId'] !== 'string'))
    return `params._meta["${RELATED_TASK}"] must be an object with a string taskId`;
  return undefined;
}

/**
 * Why `value` is not a JSON-RPC 2.0 message an MCP server can answer, or undefined when it is one. The rules are the
 * MCP schema's (a request or notification has exactly `jsonrpc`, `method`, `params` and, for a request, `id`; `id` is
 * a string or an integer; `params` and `params._meta` are objects; a progress token is a string or an integer): a
 * message the protocol layer would not recognise is otherwise dropped without an answer and its caller waits
 * forever. Client responses (`id` with `result` or `error`) pass; servers here drop them.
 */
export function jsonRpcMessageProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'a JSON-RPC message must be an object';
  if (value['jsonrpc'] !== '2.0') return 'jsonrpc must be "2.0"';
  if (!('method' in value)) {
    if ('id' in value && ('result' in value || 'error' in value)) return isRequestId(value['id']) ? undefined : 'id must be a string or an integer';
    return 'a JSON-RPC message needs a method (request, notification) or a result or error (response)';
  }
  if (typeof value['method'] !== 'string') return 'method must be a string';
  if ('id' in value && !isRequestId(value['id'])) return 'id must be a string or an integer';
  for (const member of Object.keys(value)) {
    if (!MESSAGE_MEMBERS.has(member)) return `unexpected member ${quoted(member)}`;
  }
  if ('params' in value) {
    const params = value['params'];
    if (!isPlainObject(params)) return 'params must be an object';
    if ('_meta' in params) return metaProblem(params['_meta']);
  }
  return undefined;
}

/** The JSON-RPC error answering a malformed message: with its id when it has a usable one, else `id: null`. */
export function invalidMessageResponse(value: unknown, problem: string): Record<string, unknown> {
  const id = isPlainObject(value) && isRequestId(value['id']) ? value['id'] : null;
  return { jsonrpc: '2.0', id, error: { code: JSON_RPC.INVALID_REQUEST, message: `Invalid Request: ${problem}` } };
}

/**
 * The answer to a batch holding at least one malformed message: nothing of it runs (a batch is taken whole or not at
 * all), and each message gets its own error — the malformed ones say why, requests that were fine say they were not
 * run. Valid notifications get no answer, as always. `problems[i]` is the problem of `messages[i]`, if any.
 */
export function refusedBatchResponses(messages: readonly unknown[], problems: ReadonlyArray<string | undefined>): Array<Record<string, unknown>> {
  const answers: Array<Record<string, unknown>> = [];
  messages.forEach((message, index) => {
    const problem = problems[index];
    if (problem !== undefined) answers.push(invalidMessageResponse(message, problem));
    else if (isPlainObject(message) && 'method' in message && 'id' in message) {
      answers.push(invalidMessageResponse(message, 'not run: another message of this batch is invalid; send the valid messages again without it'));
    }
  });
  return answers;
}
