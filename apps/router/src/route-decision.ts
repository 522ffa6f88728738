import type { Principal } from '@mcpfed/auth';
import { AppError, toJsonRpcError, toToolErrorResult } from '@mcpfed/errors';
import {
  FULL_VIEW,
  TASKS_EXTENSION,
  claimedRevision,
  declaresTasksExtension,
  decodeTaskId,
  isModernRevision,
  taskNotFound,
  tasksExtensionMissing,
} from '@mcpfed/mcp-runtime';
import type { ViewSelection } from '@mcpfed/mcp-runtime';
import { missingScopes } from './catalog/catalog.ts';
import type { Catalog, Route } from './catalog/catalog.ts';
import { outsideView } from './catalog/catalog-view.ts';
import { decideLazyCall } from './lazy-tools.ts';
import type { Upstream } from './upstream/upstream.ts';

/** What to do with one JSON-RPC message. */
export type RouteDecision =
  | { kind: 'local' }
  | { kind: 'answer'; response: Record<string, unknown> }
  | {
      kind: 'forward';
      upstream: Upstream;
      method: string;
      tool?: string | undefined;
      timeoutMs: number;
      /** The message to forward in place of the caller's (the lazy view's call of a tool, as a plain tools/call). */
      message?: Record<string, unknown> | undefined;
    };

/** Methods the router forwards; everything else it answers itself. */
const ROUTED = new Set(['tools/call', 'resources/read', 'prompts/get', 'completion/complete', 'tasks/get', 'tasks/result', 'tasks/cancel']);

/** The MCP Task methods: routed by the tool named in the task id (`<tool>:<handle>`, see encodeTaskId). */
const TASK_METHODS = new Set(['tasks/get', 'tasks/result', 'tasks/cancel']);

const EMPTY_COMPLETION = { completion: { values: [], hasMore: false } };

function rpcError(id: unknown, error: unknown): Record<string, unknown> {
  return { jsonrpc: '2.0', id: id ?? null, error: toJsonRpcError(error) };
}

function invalidParams(id: unknown, method: string, problem: string): RouteDecision {
  return { kind: 'answer', response: rpcError(id, new AppError('VALIDATION_FAILED', `Invalid params for ${method}: ${problem}`)) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The FORBIDDEN of a route the caller's scopes do not allow, worded as the servers word it. */
function forbidden(what: string, route: Route, missing: readonly string[]): AppError {
  return new AppError(
    'FORBIDDEN',
    `${what} needs the scope(s) ${missing.join(', ')}, which this token does not grant. Ask for a token with them; do not retry as is.`,
    {
      details: { required: [...route.scopes], missing: [...missing] },
    },
  );
}

/**
 * Where `message` goes in `catalog` for `principal`. Bad requests and requests the caller's scopes do not allow
 * are answered here and never reach an upstream: malformed params (-32602), unknown names, and for every routed
 * method (tools/call, resources/read, prompts/get, completion/complete) the scopes the upstream published for
 * the tool, resource, template or prompt (FORBIDDEN: a tool error result, or a JSON-RPC error). What has no
 * published scopes is left to its upstream, which applies the scopes of the token it receives. A tool outside
 * the caller's view (`selection`: toolsets, read-only) is refused the same way; the lazy view's meta-tools are
 * answered here or, for a call, decided exactly as the direct tools/call of the tool it names. A tasks/* request goes
 * to the upstream of the tool its task id names, and is answered "task not found" here, as that upstream answers an
 * unknown task, when the tool is unknown, not the caller's to use or see, or runs no tasks.
 */
export function decideRoute(catalog: Catalog, message: Record<string, unknown>, principal: Principal, selection: ViewSelection = FULL_VIEW): RouteDecision {
  const method = message['method'] as string;
  if (!ROUTED.has(method) || !('id' in message)) return { kind: 'local' };
  const id = message['id'];
  const raw = message['params'];
  if (raw !== undefined && !isPlainObject(raw)) return invalidParams(id, method, 'params must be an object');
  const params = raw ?? {};
  const meta = params['_meta'];
  if (meta !== undefined && !isPlainObject(meta)) return invalidParams(id, method, 'params._meta must be an object');
  const progressToken = meta?.['progressToken'];
  if (progressToken !== undefined && typeof progressToken !== 'string' && !Number.isSafeInteger(progressToken)) {
    return invalidParams(id, method, 'params._meta.progressToken must be a string or an integer');
  }
  if (method === 'tools/call') {
    const name = params['name'];
    if (typeof name !== 'string' || name.length === 0) return invalidParams(id, method, 'params.name must be a tool name');
    if (params['arguments'] !== undefined && !isPlainObject(params['arguments'])) return invalidParams(id, method, 'params.arguments must be an object');
    if (selection.lazy) {
      return decideLazyCall(catalog, message, principal, selection, (direct) => decideRoute(catalog, direct, principal, { ...selection, lazy: false }));
    }
    const route = catalog.tool(name);
    if (!route)
      return {
        kind: 'answer',
        response: rpcError(id, new AppError('VALIDATION_FAILED', `Unknown tool: ${name}. Call tools/list to see the tools available to you.`)),
      };
    const refused = outsideView(catalog, name, selection);
    if (refused) return { kind: 'answer', response: { jsonrpc: '2.0', id, result: toToolErrorResult(refused) } };
    const missing = missingScopes(route, principal.scopes);
    if (missing.length > 0) return { kind: 'answer', response: { jsonrpc: '2.0', id, result: toToolErrorResult(forbidden(name, route, missing)) } };
    return { kind: 'forward', upstream: route.upstream, method, tool: name, timeoutMs: route.upstream.timeoutFor(name, route.deadlineMs) };
  }
  if (TASK_METHODS.has(method)) {
    // The task id names its tool, so the upstream serving the tool owns the task: no routing state is kept. A task
    // of a tool the caller may not use or see is not found, exactly as the upstream answers another's task.
    const taskId = params['taskId'];
    // 2026-07-28 (the tasks extension): tasks/result is gone, and only a client declaring the extension asks.
    if (isModernRevision(claimedRevision(message))) {
      if (method === 'tasks/result')
        return {
          kind: 'answer',
          response: {
            jsonrpc: '2.0',
            id,
            error: { code: -32601, message: 'Method not found: tasks/result is not part of the 2026-07-28 tasks extension; tasks/get carries the result' },
          },
        };
      if (!declaresTasksExtension(meta as Record<string, unknown> | undefined)) {
        const missing = tasksExtensionMissing(method);
        return { kind: 'answer', response: { jsonrpc: '2.0', id, error: { code: missing.code, message: missing.message, data: missing.data } } };
      }
    }
    const decoded = decodeTaskId(taskId);
    const route = decoded === undefined ? undefined : catalog.tool(decoded.tool);
    // A task of a tool that runs none is not found here either: its upstream would answer -32601 (404 in 2026-07-28),
    // which counts against its breaker, so forwarding it would let any caller open the breaker of any upstream.
    if (
      decoded === undefined ||
      route === undefined ||
      !runsTasks(catalog, decoded.tool, route) ||
      missingScopes(route, principal.scopes).length > 0 ||
      outsideView(catalog, decoded.tool, selection) !== undefined
    ) {
      const error = taskNotFound(taskId);
      return { kind: 'answer', response: { jsonrpc: '2.0', id, error: { code: error.code, message: error.message } } };
    }
    return { kind: 'forward', upstream: route.upstream, method, timeoutMs: route.upstream.timeoutFor(decoded.tool, route.deadlineMs) };
  }
  if (method === 'resources/read') {
    const uri = params['uri'];
    if (typeof uri !== 'string') return invalidParams(id, method, 'params.uri must be a URI');
    const route = catalog.resource(uri);
    if (!route) {
      return {
        kind: 'answer',
        response: rpcError(
          id,
          new AppError('NOT_FOUND', `No resource matches ${uri}. List resources and resource templates to see what is served.`, { details: { uri } }),
        ),
      };
    }
    return forwardOrRefuse(id, method, route, `Reading ${uri}`, principal);
  }
  if (method === 'prompts/get') {
    const name = params['name'];
    const route = typeof name === 'string' ? catalog.prompt(name) : undefined;
    if (!route)
      return {
        kind: 'answer',
        response: rpcError(id, new AppError('VALIDATION_FAILED', `Unknown prompt: ${String(name)}. List prompts to see what is offered.`)),
      };
    return forwardOrRefuse(id, method, route, `Prompt ${String(name)}`, principal);
  }
  // completion/complete: to the upstream of the prompt or resource it completes, if that one offers completions.
  const ref = isPlainObject(params['ref']) ? params['ref'] : {};
  const route =
    ref['type'] === 'ref/prompt' && typeof ref['name'] === 'string'
      ? catalog.prompt(ref['name'])
      : ref['type'] === 'ref/resource' && typeof ref['uri'] === 'string'
        ? (catalog.template(ref['uri']) ?? catalog.resource(ref['uri']))
        : undefined;
  if (!route) return { kind: 'answer', response: { jsonrpc: '2.0', id, result: EMPTY_COMPLETION } };
  const missing = missingScopes(route, principal.scopes);
  if (missing.length > 0) return { kind: 'answer', response: rpcError(id, forbidden(`Completing ${String(ref['name'] ?? ref['uri'])}`, route, missing)) };
  if (route.upstream.snapshot?.capabilities['completions'] === undefined) return { kind: 'answer', response: { jsonrpc: '2.0', id, result: EMPTY_COMPLETION } };
  return { kind: 'forward', upstream: route.upstream, method, timeoutMs: route.upstream.timeoutFor(undefined, route.deadlineMs) };
}

/**
 * Whether `tool` can own a task: its upstream announced tasks at discovery (the 2025-11-25 `tasks` capability, or the
 * 2026-07-28 tasks extension) and lists the tool with task support (`execution.taskSupport`).
 */
function runsTasks(catalog: Catalog, tool: string, route: Route): boolean {
  const capabilities = route.upstream.snapshot?.capabilities ?? {};
  const extensions = capabilities['extensions'];
  const announced = capabilities['tasks'] !== undefined || (isPlainObject(extensions) && extensions[TASKS_EXTENSION] !== undefined);
  const execution = catalog.toolDefinition(tool)?.['execution'];
  const support = isPlainObject(execution) ? execution['taskSupport'] : undefined;
  return announced && (support === 'optional' || support === 'required');
}

function forwardOrRefuse(id: unknown, method: string, route: Route, what: string, principal: Principal): RouteDecision {
  const missing = missingScopes(route, principal.scopes);
  if (missing.length > 0) return { kind: 'answer', response: rpcError(id, forbidden(what, route, missing)) };
  return { kind: 'forward', upstream: route.upstream, method, timeoutMs: route.upstream.timeoutFor(undefined, route.deadlineMs) };
}
