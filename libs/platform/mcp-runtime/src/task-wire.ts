import { ProtocolError } from './protocol-error.ts';
import { MODERN_ERROR, REVISION_META, TASKS_EXTENSION, isModernRevision } from './protocol-revision.ts';

export { TASKS_EXTENSION };

/** Where a task stands, as a domain derives it from its own rows. */
export interface TaskState {
  status: 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';
  /** A human-readable line: the step, the failure, why it was cancelled. */
  message?: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The MCP revision a request speaks, from its `MCP-Protocol-Version` (2025-11-25 when absent or older). */
export type TaskRevision = '2025-11-25' | '2026-07-28';

/** `_meta` key associating a message with its task (2025-11-25). */
export const RELATED_TASK_META = 'io.modelcontextprotocol/related-task';
/** JSON-RPC code of URLElicitationRequiredError (MCP 2025-11-25, client/elicitation, URL mode). */
export const URL_ELICITATION_REQUIRED = -32042;

/** Which wire a request gets: the 2026-07-28 shapes from that revision on, the 2025-11-25 ones otherwise. */
export function taskRevisionOf(protocolVersion: string | undefined): TaskRevision {
  return isModernRevision(protocolVersion) ? '2026-07-28' : '2025-11-25';
}

/** Terminal statuses: nothing changes a task in one of them. */
export function isTerminalTask(status: TaskState['status']): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

const HANDLE = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The task id handed out: `<tool>:<handle>`, the handle being the domain's own row id (an order, an import). The
 * tool name routes tasks/* at the router to the upstream serving the tool and, on a server, to the tool's domain;
 * the id is not a secret: a task is visible only to the principal that created it.
 */
export function encodeTaskId(tool: string, handle: string): string {
  return `${tool}:${handle}`;
}

/** The tool and handle of a task id, or undefined when it is not one this runtime hands out. */
export function decodeTaskId(taskId: unknown): { tool: string; handle: string } | undefined {
  if (typeof taskId !== 'string' || taskId.length > 200) return undefined;
  const colon = taskId.indexOf(':');
  if (colon <= 0) return undefined;
  const tool = taskId.slice(0, colon);
  const handle = taskId.slice(colon + 1);
  return /^[a-z][a-z0-9_]*$/.test(tool) && HANDLE.test(handle) ? { tool, handle } : undefined;
}

/** The `Task` object of a revision: 2025-11-25 `ttl`/`pollInterval`, 2026-07-28 `ttlMs`/`pollIntervalMs`. */
export function wireTask(revision: TaskRevision, taskId: string, state: TaskState, pollIntervalMs: number): Record<string, unknown> {
  const common = {
    taskId,
    status: state.status,
    ...(state.message === undefined ? {} : { statusMessage: state.message }),
    createdAt: state.createdAt.toISOString(),
    lastUpdatedAt: state.updatedAt.toISOString(),
  };
  // The state lives as long as the domain's rows do: no expiry of its own (null = unlimited).
  return revision === '2026-07-28' ? { ...common, ttlMs: null, pollIntervalMs } : { ...common, ttl: null, pollInterval: pollIntervalMs };
}

/**
 * The answer of a task-augmented tools/call: `CreateTaskResult`, the task under `task` (2025-11-25), or the task's
 * own fields beside `resultType: "task"` (2026-07-28, `CreateTaskResult = Result & Task`).
 */
export function createTaskResult(revision: TaskRevision, task: Record<string, unknown>, immediateResponse: string): Record<string, unknown> {
  const meta = { 'io.modelcontextprotocol/model-immediate-response': immediateResponse };
  return revision === '2026-07-28' ? { resultType: 'task', ...task, _meta: meta } : { task, _meta: meta };
}

/**
 * The answer of tasks/get: the task itself (2025-11-25); from 2026-07-28 with `resultType: "complete"` and, once
 * terminal, the final tool result inline (the extension has no tasks/result).
 */
export function getTaskResult(revision: TaskRevision, task: Record<string, unknown>, final?: Record<string, unknown>): Record<string, unknown> {
  if (revision === '2025-11-25') return task;
  return { resultType: 'complete', ...task, ...(final === undefined ? {} : { result: final }) };
}

/**
 * The status a revision shows: the 2026-07-28 extension keeps `failed` for JSON-RPC errors, so a task whose work
 * failed in the domain (a declined payment, a compensated checkout) is `completed` there. Its result is still the
 * tool's own output for the task (which says the failure, e.g. the order's status), not an `isError` result.
 */
export function wireStatus(revision: TaskRevision, state: TaskState): TaskState {
  return revision === '2026-07-28' && state.status === 'failed' ? { ...state, status: 'completed' } : state;
}

/** Whether a 2026-07-28 request declares the tasks extension in its own client capabilities (`_meta`). */
export function declaresTasksExtension(meta: Record<string, unknown> | undefined): boolean {
  const declared = meta?.[REVISION_META.clientCapabilities] as { extensions?: Record<string, unknown> } | undefined;
  const extension = declared?.extensions?.[TASKS_EXTENSION];
  return typeof extension === 'object' && extension !== null;
}

/** -32021: a 2026-07-28 tasks/* request whose client did not declare the tasks extension. */
export function tasksExtensionMissing(method: string): ProtocolError {
  return new ProtocolError(
    MODERN_ERROR.MISSING_CLIENT_CAPABILITY,
    `Missing required client capability: ${method} needs the ${TASKS_EXTENSION} extension in params._meta clientCapabilities`,
    {
      requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } },
    },
  );
}

/** The answer of tasks/cancel: the cancelled task (2025-11-25), an empty acknowledgement (2026-07-28). */
export function cancelTaskResult(revision: TaskRevision, task: Record<string, unknown>): Record<string, unknown> {
  return revision === '2025-11-25' ? task : { resultType: 'complete' };
}

/** The final tool result of tasks/result, associated with its task (2025-11-25 requires the related-task `_meta`). */
export function taskPayload(result: Record<string, unknown>, taskId: string): Record<string, unknown> {
  const meta = (result['_meta'] as Record<string, unknown> | undefined) ?? {};
  return { ...result, _meta: { ...meta, [RELATED_TASK_META]: { taskId } } };
}

/** The server capability announcing task-augmented tools/call: the 2025-11-25 `tasks`, or the 2026-07-28 extension. */
export function taskCapabilities(revision: TaskRevision): Record<string, unknown> {
  return revision === '2025-11-25' ? { tasks: { cancel: {}, requests: { tools: { call: {} } } } } : { extensions: { [TASKS_EXTENSION]: {} } };
}

/** The error of a task id unknown to the caller: the same -32602 for a missing task and another principal's. */
export function taskNotFound(taskId: unknown): ProtocolError {
  return new ProtocolError(-32602, `Failed to retrieve task: Task not found (${typeof taskId === 'string' ? taskId.slice(0, 200) : 'no taskId'})`);
}

/** `_meta` key of the client capabilities a request carries (MCP 2026-07-28; accepted from any revision): REVISION_META.clientCapabilities. */
export const CLIENT_CAPABILITIES_META = REVISION_META.clientCapabilities;

/**
 * Whether the client takes URL-mode elicitation (`elicitation: { url: {} }`): declared with the request itself
 * (`_meta` clientCapabilities, the only form a stateless server, or one behind the router, can see), or at
 * initialize on a connection-bound transport (stdio, in-memory), given as `initialized`.
 */
export function acceptsUrlElicitation(meta: Record<string, unknown> | undefined, initialized: Record<string, unknown> | undefined): boolean {
  const declared = meta?.[REVISION_META.clientCapabilities];
  const capabilities = (typeof declared === 'object' && declared !== null ? declared : initialized) as { elicitation?: { url?: unknown } } | undefined;
  const url = capabilities?.elicitation?.url;
  return typeof url === 'object' && url !== null;
}

/** A URL-mode elicitation: a page a person opens in their own browser (nothing secret passes the model). */
export interface UrlElicitation {
  elicitationId: string;
  url: string;
  message: string;
}

/**
 * How a call that waits for a person reaches a client that declared URL-mode elicitation: 2025-11-25 (stateless, no
 * server-to-client request) the URLElicitationRequiredError -32042; 2026-07-28 an `input_required` result carrying
 * the `elicitation/create` request under the elicitation's id (the client retries with the same arguments and its
 * `inputResponses` once the person is done; the idempotency key makes the retry find the decision).
 */
export function urlElicitationAnswer(revision: TaskRevision, elicitation: UrlElicitation): { error: ProtocolError } | { result: Record<string, unknown> } {
  const request = { mode: 'url', elicitationId: elicitation.elicitationId, url: elicitation.url, message: elicitation.message };
  if (revision === '2025-11-25') return { error: new ProtocolError(URL_ELICITATION_REQUIRED, elicitation.message, { elicitations: [request] }) };
  // 2026-07-28's URL-mode params have no elicitationId: the inputRequests key names the request.
  const { elicitationId: _key, ...params } = request;
  return { result: { resultType: 'input_required', inputRequests: { [elicitation.elicitationId]: { method: 'elicitation/create', params } } } };
}
