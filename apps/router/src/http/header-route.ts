import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from '@mcpfed/auth';
import { decodeHeaderValue, isModernRevision } from '@mcpfed/mcp-runtime';
import type { RouteDecision } from '../route-decision.ts';
import type { Router } from '../router.ts';
import type { UnparsedRequest } from '../unparsed-request.ts';
import type { RequestView } from './request-view.ts';

/** A `tools/call` routed on its headers: where it goes and what is sent on with its unparsed body. */
export interface HeaderRoute {
  decision: Extract<RouteDecision, { kind: 'forward' }>;
  headers: UnparsedRequest['headers'];
}

/**
 * Routes a 2026-07-28 `tools/call` on its `Mcp-Method`/`Mcp-Name` headers, without parsing the body, when the tool
 * the header names may be forwarded: known, inside the caller's view (toolsets, read-only) and allowed by its scopes,
 * exactly as {@link Router.decide} rules for a body naming it. Whatever else (another method, no or a malformed
 * name, the lazy view, a refusal) is undefined: the request takes the parsed path, which answers it as before.
 * The upstream holds the guarantee that the body calls the tool the header names: it refuses any other
 * (400 -32020, `modernRequestProblem`), and any batch sent with these headers, before anything runs.
 */
export function routeByHeaders(router: Router, headers: IncomingHttpHeaders, { view, selection }: RequestView, principal: Principal): HeaderRoute | undefined {
  const version = headers['mcp-protocol-version'];
  const rawName = headers['mcp-name'];
  if (typeof version !== 'string' || !isModernRevision(version) || headers['mcp-method'] !== 'tools/call' || typeof rawName !== 'string' || selection.lazy)
    return undefined;
  const name = decodeHeaderValue(rawName);
  if (name === undefined || name.length === 0) return undefined;
  const decision = router.decide(view, { jsonrpc: '2.0', id: 0, method: 'tools/call', params: { name } }, principal, selection);
  if (decision.kind !== 'forward') return undefined;
  return { decision, headers: { 'mcp-protocol-version': version, 'mcp-method': 'tools/call', 'mcp-name': rawName } };
}
