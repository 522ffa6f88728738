import type { ApprovalGate, ApprovalState, ApprovalSummary } from '@mcpfed/approvals';
import { customerReachOf } from '@mcpfed/auth';
import type { Kysely } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { OrderDatabase } from '../store/order-database.ts';

/** Settings of {@link OrderApprovals}. */
export interface OrderApprovalsConfig {
  /**
   * The approval records and links; undefined when this server has no approval pages (no `APPROVAL_CLIENT_SECRET`):
   * an order that needs approval is then refused, never placed without one.
   */
  gate: ApprovalGate | undefined;
  /** Orders above this total (minor units) by a caller acting for a customer need approval (`ORDER_APPROVAL_THRESHOLD_MINOR`). */
  boundThresholdMinor: number;
  /** Orders above this total by an unbound caller (staff, services) need approval; undefined: never (`ORDER_APPROVAL_UNBOUND_THRESHOLD_MINOR`). */
  unboundThresholdMinor: number | undefined;
}

/** The order an approval is asked for: its binding and what the person sees. */
export interface OrderToApprove {
  readonly idempotencyKey: string;
  readonly argsDigest: string;
  readonly customerId: string;
  readonly paymentMethod: string;
  readonly summary: Pick<ApprovalSummary, 'amount' | 'currency' | 'items'>;
}

/** What order_place does next: place it (with the approval to use up, if any), or answer that a person must approve. */
export type OrderApprovalVerdict =
  | { readonly place: true; readonly approvalId: string | undefined }
  | { readonly place: false; readonly state: ApprovalState }
  /** The approval was used up by a concurrent call with the same key, which wrote the order: replay that one. */
  | { readonly place: false; readonly used: ApprovalState };

/**
 * Which orders wait for a person (docs/security.md, "A person approves money"): above the caller's limit, a token
 * principal's order is placed only with an approved approval bound to this caller, key and arguments. A stdio
 * session (a trusted local process, no one to log in) is not gated.
 */
export class OrderApprovals {
  readonly #config: OrderApprovalsConfig;

  constructor(config: OrderApprovalsConfig) {
    this.#config = Object.freeze({ ...config });
  }

  /** Whether this order needs approval, and if so where its approval stands (recorded pending the first time). */
  async verdict(db: Kysely<OrderDatabase>, order: OrderToApprove, ctx: Pick<RequestContext, 'principal'>): Promise<OrderApprovalVerdict> {
    const { gate, boundThresholdMinor, unboundThresholdMinor } = this.#config;
    const { principal } = ctx;
    const limit = principal.kind === 'local' ? undefined : customerReachOf(principal).kind === 'one' ? boundThresholdMinor : unboundThresholdMinor;
    if (limit === undefined || order.summary.amount <= limit) return { place: true, approvalId: undefined };
    if (gate === undefined) {
      throw new AppError('FORBIDDEN', "This order needs a person's approval, and this server has no approval page configured; nothing was placed.", {
        details: { approval: 'unavailable' },
      });
    }
    const state = await gate.check(db, {
      operation: 'order_place',
      callerPrincipal: principal.id,
      idempotencyKey: order.idempotencyKey,
      argsDigest: order.argsDigest,
      customerId: order.customerId,
      summary: {
        ...order.summary,
        action: 'charge',
        customer_id: order.customerId,
        description: `Order for customer ${order.customerId}, paid with ${order.paymentMethod}`,
      },
    });
    if (state.status === 'pending') return { place: false, state };
    if (state.status === 'used') return { place: false, used: state };
    if (state.status !== 'approved') throw gate.refusal(state);
    // The person approved what the page showed: prices that moved since then need a new approval.
    if (state.summary.amount !== order.summary.amount || state.summary.currency !== order.summary.currency) {
      throw new AppError(
        'PRECONDITION_FAILED',
        'Prices changed since the person approved this order; nothing was placed. Quote again (order_quote) and place it with a NEW idempotency_key.',
        {
          details: { approval: 'stale', approval_id: state.id, approved_amount: state.summary.amount, amount: order.summary.amount },
        },
      );
    }
    return { place: true, approvalId: state.id };
  }

  /** Uses up an approval in the transaction that writes its order; refuses when it is no longer usable. */
  async consume(trx: Kysely<OrderDatabase>, approvalId: string): Promise<void> {
    if (!(await (this.#config.gate as ApprovalGate).consume(trx, approvalId))) {
      throw new AppError(
        'PRECONDITION_FAILED',
        'The approval of this order expired or was used meanwhile; nothing was placed. Call again with a NEW idempotency_key to ask for a new approval.',
        {
          details: { approval: 'expired', approval_id: approvalId },
        },
      );
    }
  }

  /** The error of a used approval whose order cannot be found (it served another order: never the case for one binding). */
  refusal(state: ApprovalState): AppError {
    return (this.#config.gate as ApprovalGate).refusal(state);
  }

  /** The answer while the approval is pending. */
  required(state: ApprovalState) {
    return (this.#config.gate as ApprovalGate).required(state);
  }
}
