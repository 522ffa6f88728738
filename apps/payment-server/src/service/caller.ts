import type { CustomerReach } from '@mcpfed/auth';

/** Who a service call is for: the parts of the request context the payment rules need. */
export interface Caller {
  /** Principal id: owner of idempotency keys; recorded as created_by. */
  readonly principalId: string;
  /** Which customers the caller reaches: its bound customer, every one (`customer:any`), or none. */
  readonly reach: CustomerReach;
  /**
   * Whose daily amount limits the call counts against: `rateLimitKeyOf` of @mcpfed/mcp-runtime, so a service acting
   * for a caller (the order server's checkout) counts under `<service>><caller>`, anyone else under the principal id.
   */
  readonly limitKey: string;
  /** Aborted at the call's deadline or on cancellation; passed on to queries and the provider. */
  readonly signal?: AbortSignal | undefined;
}
