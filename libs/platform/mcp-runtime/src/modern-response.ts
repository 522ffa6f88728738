import { JSON_RPC } from '@mcpfed/errors';
import { plainObject as record } from './plain-object.ts';
import { MODERN_ERROR, REVISION_META, SERVED_PROTOCOL_VERSIONS, TASKS_EXTENSION } from './protocol-revision.ts';
import type { CacheHints } from './protocol-revision.ts';

/**
 * A response of the SDK v1 protocol layer to a request that claimed 2026-07-28, in that revision's shape: results get
 * `resultType`, the server's identity in `_meta`, and cache hints where the revision requires them; the answer to
 * `server/discover` is built from the initialize result; the error of an unknown resource becomes -32602 (2025-11-25:
 * -32002). Other results carry `serverInfo` when it is given (the server's short identity).
 */
export function modernResponse(method: string, response: Record<string, unknown>, hints: CacheHints, serverInfo?: unknown): Record<string, unknown> {
  const error = record(response['error']);
  if (error !== undefined) {
    return error['code'] === JSON_RPC.RESOURCE_NOT_FOUND ? { ...response, error: { ...error, code: JSON_RPC.INVALID_PARAMS } } : response;
  }
  const result = record(response['result']) ?? {};
  let out: Record<string, unknown>;
  if (method === 'server/discover') {
    const capabilities = { ...(record(result['capabilities']) ?? {}) };
    // Tasks are the `io.modelcontextprotocol/tasks` extension in 2026-07-28 (a core capability in 2025-11-25).
    if (capabilities['tasks'] !== undefined) capabilities['extensions'] = { ...(record(capabilities['extensions']) ?? {}), [TASKS_EXTENSION]: {} };
    delete capabilities['tasks'];
    out = {
      supportedVersions: [...SERVED_PROTOCOL_VERSIONS],
      capabilities,
      ...(typeof result['instructions'] === 'string' ? { instructions: result['instructions'] } : {}),
      _meta: { ...(record(result['_meta']) ?? {}), [REVISION_META.serverInfo]: result['serverInfo'] },
    };
  } else {
    out = { ...result };
    if (serverInfo !== undefined) out['_meta'] = { [REVISION_META.serverInfo]: serverInfo, ...(record(result['_meta']) ?? {}) };
    if (method === 'tools/list' && Array.isArray(out['tools'])) {
      // `execution` (task support) is not part of 2026-07-28's Tool: with the tasks extension the server decides per call.
      out['tools'] = (out['tools'] as unknown[]).map((tool) => {
        const t = record(tool);
        if (t === undefined || !('execution' in t)) return tool;
        const { execution: _dropped, ...rest } = t;
        return rest;
      });
    }
  }
  if (out['resultType'] === undefined) out['resultType'] = 'complete';
  const hint = hints[method as keyof CacheHints];
  if (hint !== undefined && out['resultType'] === 'complete') {
    if (typeof out['ttlMs'] !== 'number') out['ttlMs'] = hint.ttlMs;
    if (out['cacheScope'] !== 'public' && out['cacheScope'] !== 'private') out['cacheScope'] = hint.cacheScope;
  }
  return { ...response, result: out };
}

/** HTTP status of a modern error answered alone: -32601 is 404, the revision's own refusals 400, the rest 200. */
export function modernErrorStatus(code: unknown): number {
  if (code === JSON_RPC.METHOD_NOT_FOUND) return 404;
  if (code === MODERN_ERROR.HEADER_MISMATCH || code === MODERN_ERROR.UNSUPPORTED_PROTOCOL_VERSION || code === MODERN_ERROR.MISSING_CLIENT_CAPABILITY)
    return 400;
  return 200;
}

/**
 * The answer to `subscriptions/listen` of a server whose lists never change while it runs (its capabilities say
 * `listChanged: false`): the acknowledgement, agreeing to nothing, then the result that ends the subscription.
 */
export function closedSubscription(message: Record<string, unknown>, serverInfo?: unknown): [Record<string, unknown>, Record<string, unknown>] {
  const id = message['id'];
  return [
    { jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: { notifications: {}, _meta: { [REVISION_META.subscriptionId]: id } } },
    {
      jsonrpc: '2.0',
      id,
      result: {
        resultType: 'complete',
        _meta: { [REVISION_META.subscriptionId]: id, ...(serverInfo === undefined ? {} : { [REVISION_META.serverInfo]: serverInfo }) },
      },
    },
  ];
}
