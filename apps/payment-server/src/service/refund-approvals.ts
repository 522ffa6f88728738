import type { ApprovalGate, ApprovalRequiredAnswer, ApprovalState } from '@mcpfed/approvals';
import type { Kysely } from 'kysely';
import { AppError } from '@mcpfed/errors';
import { digest } from '@mcpfed/mcp-runtime';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { PaymentDatabase } from '../store/payment-database.ts';

/** Settings of {@link RefundApprovals}. */
export interface RefundApprovalsConfig {
  /**
   * The approval records and links; undefined when this server has no approval pages (no `APPROVAL_CLIENT_SECRET`):
   * a refund that needs approval is then refused, never made without one.
   */
  readonly gate: ApprovalGate | undefined;
  /** Refunds above this amount, in minor units, asked for a person wait for that person (PAYMENT_REFUND_CONFIRM_THRESHOLD_MINOR). */
  readonly thresholdMinor: number;
  /**
   * Client ids whose own tokens refund above the threshold without a person (REFUND_APPROVAL_EXEMPT_CLIENTS): the
   * order server undoing its failed checkout's capture. Another service's own token is refused above it.
   */
  readonly exemptClients: readonly string[];
}

/** The refund an approval is asked for: exactly the payment_refund arguments but the key and the dry run. */
export interface RefundToApprove {
  readonly paymentId: string;
  readonly amount: number;
  readonly currency: string;
  readonly reason: string;
  readonly idempotencyKey: string;
  readonly customerId: string;
  readonly orderRef: string;
}

/** What a refund does next: go on (using up `approvalId` when one is needed), or wait for the person. */
export type RefundApprovalVerdict =
  { readonly proceed: true; readonly approvalId: string | undefined } | { readonly proceed: false; readonly state: ApprovalState };

/**
 * Which refunds wait for a person (docs/security.md, "A person approves money"): a refund above the threshold asked
 * for a person — a user's token, or a service's token acting for one (the order server's exchanged token, whose `sub`
 * is the user) — is made only with an approval that person gave on this server's page, bound to this caller, key
 * and arguments, and used up in the transaction that starts the refund. A service's own token (work done for
 * nobody: the checkout's compensation, the order server's sweeper; only a client secret gets one) and a stdio
 * session (a trusted local process, no one to log in) are not asked.
 */
export class RefundApprovals {
  readonly #config: RefundApprovalsConfig;

  readonly #exempt: ReadonlySet<string>;

  constructor(config: RefundApprovalsConfig) {
    this.#config = Object.freeze({ ...config });
    this.#exempt = new Set(config.exemptClients);
  }

  /**
   * Whether a refund of `amount` by the caller (`ctx.principal`) needs its person's approval. A service's own token above the threshold
   * is refused unless its client is exempt: a client any registration could create must not refund unasked.
   */
  needed(amount: number, ctx: Pick<RequestContext, 'principal'>): boolean {
    if (amount <= this.#config.thresholdMinor) return false;
    const { kind } = ctx.principal;
    if (kind === 'service' && !this.#exempt.has(ctx.principal.id)) {
      throw new AppError(
        'FORBIDDEN',
        'A refund above the approval threshold needs a person behind the token; this service client may not make one on its own.',
        {
          details: { approval: 'unavailable' },
        },
      );
    }
    return kind === 'user';
  }

  /**
   * Where the approval of this refund stands (recorded pending the first time). `used`: an earlier call with this
   * key started the refund, which the operation then replays; the run itself refuses a refund without a usable
   * approval, so a verdict taken before a race cannot refund twice.
   */
  async verdict(db: Kysely<PaymentDatabase>, refund: RefundToApprove, ctx: Pick<RequestContext, 'principal'>): Promise<RefundApprovalVerdict> {
    if (!this.needed(refund.amount, ctx)) return { proceed: true, approvalId: undefined };
    const gate = this.#gate();
    const state = await gate.check(db, {
      operation: 'payment_refund',
      callerPrincipal: ctx.principal.id,
      idempotencyKey: refund.idempotencyKey,
      argsDigest: digest({ payment_id: refund.paymentId, amount: refund.amount, currency: refund.currency, reason: refund.reason }),
      customerId: refund.customerId,
      summary: {
        action: 'refund',
        amount: refund.amount,
        currency: refund.currency,
        customer_id: refund.customerId,
        items: [],
        description: `Refund of payment ${refund.paymentId} (order ${refund.orderRef}), reason ${refund.reason}`,
      },
    });
    if (state.status === 'pending') return { proceed: false, state };
    if (state.status === 'used') return { proceed: true, approvalId: undefined };
    if (state.status !== 'approved') throw gate.refusal(state);
    return { proceed: true, approvalId: state.id };
  }

  /**
   * Uses the approval up in the transaction that records the refund, so one approval starts exactly one refund;
   * refuses a needed approval that is missing, used or expired meanwhile (nothing is refunded).
   */
  async consume(trx: Kysely<PaymentDatabase>, amount: number, approvalId: string | undefined, ctx: Pick<RequestContext, 'principal'>): Promise<void> {
    if (!this.needed(amount, ctx)) return;
    if (approvalId === undefined || !(await this.#gate().consume(trx, approvalId))) {
      throw new AppError(
        'PRECONDITION_FAILED',
        'This refund has no usable approval (it expired or was used meanwhile); nothing was refunded. Call again with a NEW idempotency_key to ask for a new approval.',
        {
          details: { approval: 'expired', ...(approvalId === undefined ? {} : { approval_id: approvalId }) },
        },
      );
    }
  }

  /** The answer while the approval is pending. */
  required(state: ApprovalState): ApprovalRequiredAnswer {
    return this.#gate().required(state);
  }

  #gate(): ApprovalGate {
    const { gate } = this.#config;
    if (gate === undefined) {
      throw new AppError('FORBIDDEN', "This refund needs a person's approval, and this server has no approval page configured; nothing was refunded.", {
        details: { approval: 'unavailable' },
      });
    }
    return gate;
  }
}
