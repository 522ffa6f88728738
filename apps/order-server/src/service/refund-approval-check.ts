import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import { paymentRefund, paymentRefundable } from '@mcpfed/contract-payment';
import type { Kysely } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import { OperationStore } from '../store/operation-store.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import type { OrderLineRecord, OrderRecord } from '../store/order-store.ts';
import { operationKey } from './operation-key.ts';
import type { OrderOperationRunner } from './order-operation-runner.ts';
import { toOrderView } from './order-view.ts';
import type { OrderView } from './order-view.ts';
import { upstreamContextOf } from './upstream-context.ts';
import type { UpstreamAuth } from './upstream-identity.ts';
import type { UpstreamCallContext, Upstreams } from './upstreams.ts';

/** The payment_refund approval answer (contract `approvalRequiredSchema`), relayed to the caller unchanged. */
type PaymentApproval = NonNullable<ContractOutput<typeof paymentRefund>['approval']>;

/** The refund an order operation would ask the payment server for. */
export interface PlannedRefund {
  readonly paymentId: string;
  readonly amount: number;
  readonly currency: string;
  readonly reason: ContractInput<typeof paymentRefund>['reason'];
}

/** What {@link RefundApprovalCheck} found before claiming a refunding operation. */
export type RefundVerdict =
  /** Not the payment server's to ask: a stdio session, or a retry of an operation already claimed. */
  | { readonly kind: 'exempt' }
  /** The payment server let exactly this refund through (none: the preview planned no refund). */
  | { readonly kind: 'checked'; readonly refund: PlannedRefund | undefined }
  | { readonly kind: 'unchecked' }
  | { readonly kind: 'waiting'; readonly order: OrderView; readonly amount: number; readonly approval: PaymentApproval };

/** Collaborators of {@link RefundApprovalCheck}. */
export interface RefundApprovalCheckDeps {
  db: Kysely<OrderDatabase>;
  runner: OrderOperationRunner;
  upstreams: Upstreams;
  /** How upstream calls authenticate for a caller (`ORDER_UPSTREAM_AUTH`). Default `exchange`. */
  upstreamAuth?: UpstreamAuth;
}

/**
 * A large refund waits for the caller's person, and the payment server asks that person (docs/security.md, "A
 * person approves money"): before anything is claimed, the exact payment_refund the operation will make (its key
 * derived as in the run) is put to the payment server as a dry run with the caller's exchanged token; while the
 * person has not decided, its approval answer is relayed with nothing claimed, and its refusals (declined,
 * expired, not refundable, limits) are the answer. `checked`: the operation may run with the refund checked (no
 * refund, not put to a person, or approved: the real call uses the approval up); `unchecked`: the order could not
 * be previewed (a race the claim will settle). The claim refuses a refund other than the one checked
 * ({@link checkedRefund}): an operation is claimed only for a refund the payment server has let through, so the
 * sweeper that may finish it as the order server itself never makes a refund no person approved.
 */
export class RefundApprovalCheck {
  readonly #deps: RefundApprovalCheckDeps;

  constructor(deps: RefundApprovalCheckDeps) {
    this.#deps = Object.freeze({ ...deps });
  }

  /** The verdict on the refund `plan` would make of the order as it is now. */
  async verdict<P>(
    request: { tool: 'order_cancel' | 'order_refund'; orderId: string; expectedVersion: number; key: string },
    plan: (order: OrderRecord, lines: OrderLineRecord[]) => P,
    refundOf: (plan: P) => PlannedRefund | undefined,
    ctx: RequestContext,
  ): Promise<RefundVerdict> {
    const { tool, orderId, expectedVersion, key } = request;
    // A stdio session is a trusted local process with no one to log in: its calls go as the order server itself.
    if (ctx.principal.kind === 'local') return { kind: 'exempt' };
    // A retry of a claimed operation replays or finishes it: its refund was checked when it was claimed.
    if ((await new OperationStore(this.#deps.db, ctx.signal).find(ctx.principal.id, tool, key)) !== undefined) return { kind: 'exempt' };
    const preview = await this.#deps.runner.preview(orderId, expectedVersion, plan, ctx).catch(() => undefined);
    if (preview === undefined) return { kind: 'unchecked' };
    const refund = refundOf(preview.plan);
    if (refund === undefined || refund.amount <= 0) return { kind: 'checked', refund: undefined };
    const context = upstreamContextOf(ctx);
    if ((this.#deps.upstreamAuth ?? 'exchange') === 'service' || context.subjectToken === undefined) {
      await this.#refuseUnattestedRefund(refund, context);
      return { kind: 'checked', refund };
    }
    const idempotencyKey = `${operationKey(tool === 'order_cancel' ? 'cancel' : 'refund', { order_id: orderId, principal_id: ctx.principal.id, idempotency_key: key })}:refund`;
    const answer = await this.#deps.upstreams.payment.call(
      paymentRefund,
      {
        payment_id: refund.paymentId,
        amount: refund.amount,
        currency: refund.currency as never,
        reason: refund.reason,
        idempotency_key: idempotencyKey,
        dry_run: true,
      },
      context,
    );
    if (answer.approval === undefined) return { kind: 'checked', refund };
    return { kind: 'waiting', order: toOrderView(preview.order, preview.lines), amount: refund.amount, approval: answer.approval };
  }

  /**
   * Without the caller's token upstream (`ORDER_UPSTREAM_AUTH=service`) the payment server sees the order server
   * itself and asks nobody, so a refund above its approval threshold is refused here: no person could approve it.
   */
  async #refuseUnattestedRefund(refund: PlannedRefund, context: UpstreamCallContext): Promise<void> {
    const { confirmation_threshold: threshold } = await this.#deps.upstreams.payment.call(paymentRefundable, { payment_id: refund.paymentId }, context);
    if (refund.amount > threshold) {
      throw new AppError(
        'FORBIDDEN',
        "This refund needs a person's approval, which needs the caller's token on the payment server (ORDER_UPSTREAM_AUTH=exchange); nothing was refunded.",
        {
          details: { approval: 'unavailable', threshold },
        },
      );
    }
  }
}

/** The plan to claim, unless it refunds money the payment server was not asked about first (see {@link RefundApprovalCheck}). */
export function checkedRefund<P>(verdict: RefundVerdict, plan: P, refundOf: (plan: P) => PlannedRefund | undefined): P {
  if (verdict.kind === 'exempt') return plan;
  const planned = refundOf(plan);
  if (planned === undefined || planned.amount <= 0) return plan;
  const checked = verdict.kind === 'checked' ? verdict.refund : undefined;
  if (checked?.paymentId !== planned.paymentId || checked.amount !== planned.amount || checked.reason !== planned.reason) {
    throw new AppError('CONFLICT', 'The order changed while its refund was being checked; nothing was done. Read the order again (order_get) and retry.', {
      retryable: true,
    });
  }
  return plan;
}
