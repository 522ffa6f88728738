import type { CustomerReach } from '@mcpfed/auth';

/** Who a service call is for: the parts of the request context the payment rules need. */
export interface Caller {
  /** Principal id: owner of idempotency keys; recorded as created_by. */
  readonly principalId: string;
  /**
   * `user` for a person's token or a service's token acting for a person (`act`), `service` for a service's own
   * client-credentials token (work done for nobody), `local` for a stdio session: refunds are asked of `user` callers'
   * persons (RefundApprovals). Default `user`.
   */
  readonly kind?: 'user' | 'service' | 'local';
  /** Which customers the caller reaches: its bound customer, every one (`customer:any`), or none. */
  readonly reach: CustomerReach;
  /**
   * Whose daily amount limits the call counts against: `rateLimitKeyOf` of @mcpfed/mcp-runtime, the principal id. A
   * token the order server exchanged for a caller's names the caller there, so its checkouts use the caller's budget.
   */
  readonly limitKey: string;
  /** Aborted at the call's deadline or on cancellation; passed on to queries and the provider. */
  readonly signal?: AbortSignal | undefined;
}
