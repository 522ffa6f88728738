import type { z } from 'zod';
import type { ToolContract } from '@mcpfed/contract-common';

/** Per-call data of an upstream call (the subset of @mcpfed/federation's FederationCallContext the order server uses). */
export interface UpstreamCallContext {
  signal?: AbortSignal;
  /**
   * The caller's access token, exchanged (RFC 8693) for one addressed to the upstream whose `sub` is the caller and
   * whose `act` names the order server. Absent: the order server's own token (work done for nobody, or `service` mode).
   */
  subjectToken?: string;
  traceparent?: string;
  requestId?: string;
}

/**
 * What the order server needs of another domain's server: call one of its tools through its contract. A
 * `FederationClient` of @mcpfed/federation is one; tests may pass any object with this method. A tool error
 * rejects with the upstream's AppError (code, retryable, details unchanged); transport trouble is
 * UPSTREAM_UNAVAILABLE or TIMEOUT.
 */
export interface UpstreamClient {
  call<I extends z.ZodObject, O extends z.ZodObject>(tool: ToolContract<I, O>, input: z.input<I>, context?: UpstreamCallContext): Promise<z.output<O>>;
}

/** The three servers the checkout talks to. */
export interface Upstreams {
  readonly customer: UpstreamClient;
  readonly product: UpstreamClient;
  readonly payment: UpstreamClient;
}
