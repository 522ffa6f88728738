/** Per-call data of {@link FederationClient.call} (docs/conventions.md: the request context travels with the call). */
export interface FederationCallContext {
  /** Aborts the call (all attempts and backoff waits); the call then rejects with TIMEOUT (or the signal's AppError reason). */
  signal?: AbortSignal;
  /**
   * The access token of the caller this call is made for: exchanged (RFC 8693, via the token source) for one addressed
   * to this upstream, whose `sub` stays the caller and whose `act` names this service, so the upstream applies the
   * caller's scopes, limits, customer binding and audit. Absent: the service's own token (work done for nobody).
   */
  subjectToken?: string;
  /** W3C trace context to continue, sent as the `traceparent` header and as `_meta.traceparent`. */
  traceparent?: string;
  /** The caller's request id, for log lines about this call. */
  requestId?: string;
  /** Receives the upstream's progress notifications; only when given is `_meta.progressToken` sent. */
  onProgress?: (progress: { progress: number; total?: number; message?: string }) => void;
}
