/** Who a service call is for: the parts of the request context the payment rules need. */
export interface Caller {
  /** Principal id: owner of idempotency keys and of the daily limits; recorded as created_by. */
  readonly principalId: string;
  /** Aborted at the call's deadline or on cancellation; passed on to queries and the provider. */
  readonly signal?: AbortSignal | undefined;
}
