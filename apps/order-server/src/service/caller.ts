import type { CustomerReach } from '@mcpfed/auth';
import type { ClientLog } from '@mcpfed/mcp-runtime';

/** The service's view of a request: who acts, and the abort signal. */
export interface Caller {
  /** The caller's principal id: idempotency records are per principal; upstream calls act for it. */
  readonly principalId: string;
  /** `user` or `service` (a token), `local` (stdio): approvals are asked of token principals only. Default `user`. */
  readonly kind?: 'user' | 'service' | 'local';
  /** Which customers the caller reaches: its bound customer, every one (`customer:any`), or none. */
  readonly reach: CustomerReach;
  readonly signal: AbortSignal;
  /** Whether the caller's token grants a scope (for rules that depend on the case, e.g. a cancel that refunds). */
  hasScope(scope: string): boolean;
  /**
   * The caller's verified bearer token and its `exp` (epoch seconds), over HTTP; absent for a stdio session. Exchanged
   * for the upstream calls made for the caller, and kept sealed for its checkout (see UpstreamIdentity).
   */
  readonly credential?: { readonly token: string; readonly expiresAt: number };
  /** W3C trace context of the call, continued by the checkout job and its upstream calls. */
  readonly traceparent?: string;
  /** Reports progress to a client that asked for it; a no-op otherwise. */
  readonly progress?: (progress: number, total?: number, message?: string) => Promise<void>;
  /** Sends log messages to a client that asked for their level; a no-op otherwise. Ids and codes only, never personal data. */
  readonly clientLog?: ClientLog;
}
