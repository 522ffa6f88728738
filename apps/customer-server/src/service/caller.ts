import type { CustomerReach } from '@mcpfed/auth';

/** Who a service call is for: the parts of the request context the domain rules need. */
export interface Caller {
  /** Principal id: the actor of timeline events and the author of notes. */
  readonly actor: string;
  /** Whether the caller may see unmasked email, phone and address lines (`customer:pii`). */
  readonly canSeePii: boolean;
  /** Which customers the caller reaches: its bound customer, every one (`customer:any`), or none. */
  readonly reach: CustomerReach;
  /** Aborted at the call's deadline or on cancellation; passed on to every query. */
  readonly signal?: AbortSignal | undefined;
}
