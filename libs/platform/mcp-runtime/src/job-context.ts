import type { Principal } from '@mcpfed/auth';
import { childTraceContext, newRequestId, parseTraceparent } from '@mcpfed/telemetry';
import type { Logger } from '@mcpfed/telemetry';
import type { RequestContext } from './types.ts';

/** What a background job knows about the work it runs. */
export interface JobContextOptions {
  /**
   * Who the work is done for: the principal a request recorded when it queued the work, or a system principal
   * ({@link systemPrincipal}) for work done for nobody (sweepers, expiry).
   */
  readonly principal: Principal;
  /** The job's logger (already bound to the job's name and id). */
  readonly log: Logger;
  /** Aborted when the worker shuts down or the job's time is up. Default: never aborted. */
  readonly signal?: AbortSignal | undefined;
  /** W3C `traceparent` of the request that queued the work; the job continues its trace. Default: a new trace. */
  readonly traceparent?: string | undefined;
}

const NEVER_ABORTED = new AbortController().signal;

/**
 * The {@link RequestContext} of a background job, so services and stores take the same context whether a tool
 * call or a worker runs them. A job has no client: progress and client log messages go nowhere, and the principal's
 * scopes are the only scopes it holds.
 */
export function jobContext(options: JobContextOptions): RequestContext {
  const parent = parseTraceparent(options.traceparent);
  const { principal } = options;
  return Object.freeze({
    requestId: newRequestId(),
    principal,
    signal: options.signal ?? NEVER_ABORTED,
    log: options.log,
    trace: childTraceContext(parent),
    hasScope: (scope: string) => principal.scopes.has(scope),
    progress: async () => {},
    clientLog: async () => {},
  });
}

/**
 * The principal of work a system part does for nobody in particular: id `system:<name>` (the actor recorded on the
 * rows it writes), kind `service`, no scopes.
 */
export function systemPrincipal(name: string): Principal {
  return Object.freeze({ id: `system:${name}`, subject: `system:${name}`, scopes: new Set<string>(), kind: 'service' as const });
}

/**
 * Binding options of a tool whose handler runs its own transactions: the runtime opens none (calls to another
 * system happen outside a database transaction) and the handler keeps its own idempotency record.
 */
export const OWN_TRANSACTIONS = Object.freeze({ transaction: 'none' as const });
