import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { UpstreamCallContext } from './upstreams.ts';

/**
 * The context of an upstream call made for the caller of a request: its signal, its verified token (exchanged per
 * upstream; none for a stdio session) and its trace.
 */
export function upstreamContextOf(ctx: Pick<RequestContext, 'principal' | 'signal' | 'trace'>): UpstreamCallContext {
  const { token, expiresAt } = ctx.principal;
  return {
    signal: ctx.signal,
    ...(token === undefined || expiresAt === undefined ? {} : { subjectToken: token }),
    traceparent: ctx.trace.traceparent,
  };
}
