import type { ApprovalRequiredAnswer } from '@mcpfed/approvals';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import type { paymentRefund } from '@mcpfed/contract-payment';
import { rateLimitKeyOf } from '@mcpfed/mcp-runtime';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import { LimitUsageStore } from '../store/limit-usage-store.ts';
import type { StoredFailure } from '../store/payment-database.ts';
import { PaymentStore } from '../store/payment-store.ts';
import type { PaymentRow } from '../store/payment-store.ts';
import { releaseDaily, reserveDaily } from './daily-limit-reservation.ts';
import { dailyLimitExceeded } from './limit-exceeded.ts';
import type { MovementDeps } from './movement-deps.ts';
import type { OperationSteps } from './operation-steps.ts';
import { paymentNotFound } from './payment-not-found.ts';
import { lockPayment } from './payment-preconditions.ts';
import { paymentView, refundView } from './payment-view.ts';
import { postMovement } from './post-movement.ts';
import { asRefund, providerChargeOf } from './provider-results.ts';
import { requireReachablePayment } from './reachable-payment.ts';
import { checkRefund, isRefundable } from './refund-check.ts';

type RefundInput = ContractInput<typeof paymentRefund>;
type RefundOutput = ContractOutput<typeof paymentRefund>;
type RefundDeps = Pick<MovementDeps, 'db' | 'runner' | 'limits' | 'approvals' | 'ids'>;
type RefundContext = Pick<RequestContext, 'principal' | 'signal'>;

/**
 * payment_refund. A refund above the threshold asked for a person waits for that person's approval
 * (RefundApprovals): the first call refunds nothing and answers the approval; after it was approved the same call
 * refunds once, using the approval up in the transaction that records the refund. A dry run refunds nothing.
 */
export async function refundPayment(deps: RefundDeps, input: RefundInput, ctx: RefundContext): Promise<RefundOutput> {
  await requireReachablePayment(deps.db, input.payment_id, ctx);
  const { limits, approvals } = deps;
  const { idempotency_key, dry_run: _dryRun, ...args } = input;
  let approvalId: string | undefined;
  if (approvals.needed(input.amount, ctx)) {
    const payment = await findPayment(deps, input.payment_id, ctx);
    // Only a refund that could be made is put to a person; a replay of a finished one skips straight to the run.
    const valid = isRefundable(payment, input, limits);
    if (valid || input.dry_run) {
      const refundable = checkRefund(payment, input, limits);
      const verdict = await approvals.verdict(
        deps.db,
        {
          paymentId: payment.id,
          amount: input.amount,
          currency: input.currency,
          reason: input.reason,
          idempotencyKey: idempotency_key,
          customerId: payment.customer_id,
          orderRef: payment.order_ref,
        },
        ctx,
      );
      if (!verdict.proceed) return refundPreview(payment, refundable, input, input.dry_run, true, approvals.required(verdict.state));
      approvalId = verdict.approvalId;
    }
  }
  if (input.dry_run) return refundDryRun(deps, input, ctx);
  const response = await deps.runner.run(
    {
      kind: 'refund',
      idempotencyKey: idempotency_key,
      args,
      paymentId: input.payment_id,
      refundId: deps.ids('re'),
      amount: input.amount,
      currency: input.currency,
      begin: async (trx, op) => {
        const payments = new PaymentStore(trx, ctx.signal);
        const payment = await lockPayment(payments, op.payment_id);
        checkRefund(payment, input, limits);
        await approvals.consume(trx, input.amount, approvalId, ctx);
        await reserveDaily(trx, op, 'refund', limits.dailyRefundLimitMinor, ctx.signal);
        await payments.insertRefund({
          id: op.refund_id as string,
          payment_id: payment.id,
          amount: input.amount,
          currency: payment.currency,
          reason: input.reason,
          operation_id: op.id,
          created_by: op.principal_id,
        });
        await payments.addRefundPending(payment.id, input.amount);
        return { params: { provider_charge_id: payment.provider_charge_id, reason: input.reason, requires_approval: approvals.needed(input.amount, ctx) } };
      },
    },
    ctx,
  );
  return response as RefundOutput;
}

/** Around the provider call: the amount is reserved as pending, then recorded refunded with its ledger transaction, or given back. */
export function refundSteps(deps: Pick<MovementDeps, 'provider' | 'ids'>): OperationSteps {
  const { provider } = deps;
  return {
    call: (op, signal) =>
      provider.refund(
        { idempotencyKey: op.provider_key, chargeId: providerChargeOf(op), amount: Number(op.amount), reason: (op.params as { reason: string }).reason },
        signal,
      ),
    record: async (trx, op, result, signal) => {
      const refund = asRefund(result);
      const payments = new PaymentStore(trx, signal);
      const payment = await lockPayment(payments, op.payment_id);
      const amount = Number(op.amount);
      const refunded = Number(payment.amount_refunded) + amount;
      const updated = await payments.update(payment, {
        amount_refunded: refunded,
        amount_refund_pending: Number(payment.amount_refund_pending) - amount,
        status: refunded === Number(payment.amount_captured) ? 'refunded' : 'partially_refunded',
      });
      const refundRow = await payments.finishRefund(op.refund_id as string, { status: 'succeeded', providerRefundId: refund.id });
      await postMovement(trx, deps.ids, op, updated, { kind: 'refund', refunded: amount }, signal);
      const view = paymentView(updated);
      return {
        dry_run: false,
        refund: refundView(refundRow),
        payment: view,
        amount_refundable_after: view.amount_refundable,
        requires_approval: (op.params as { requires_approval?: boolean }).requires_approval === true,
        replayed: false,
      };
    },
    release: async (trx, op, outcome, failure, signal) => {
      const payments = new PaymentStore(trx, signal);
      await lockPayment(payments, op.payment_id);
      await payments.addRefundPending(op.payment_id, -Number(op.amount));
      if (outcome === 'abandoned') await payments.deleteRefund(op.refund_id as string);
      else await payments.finishRefund(op.refund_id as string, { status: 'failed', failureCode: failureCodeOf(failure) });
      await releaseDaily(trx, op, 'refund', signal);
    },
  };
}

async function refundDryRun(deps: RefundDeps, input: RefundInput, ctx: RefundContext): Promise<RefundOutput> {
  const { limits, approvals } = deps;
  const payment = await findPayment(deps, input.payment_id, ctx);
  const refundable = checkRefund(payment, input, limits);
  const used = await new LimitUsageStore(deps.db, ctx.signal).used({ limitKey: rateLimitKeyOf(ctx.principal), kind: 'refund', currency: payment.currency });
  if (used + input.amount > limits.dailyRefundLimitMinor)
    throw dailyLimitExceeded('refund', input.amount, used, limits.dailyRefundLimitMinor, payment.currency);
  return refundPreview(payment, refundable, input, true, approvals.needed(input.amount, ctx));
}

/** The answer of a call that refunds nothing: a dry run, or a refund waiting for its approval. */
function refundPreview(
  payment: PaymentRow,
  refundable: number,
  input: RefundInput,
  dryRun: boolean,
  requiresApproval: boolean,
  approval?: ApprovalRequiredAnswer,
): RefundOutput {
  return {
    dry_run: dryRun,
    refund: null,
    payment: paymentView(payment),
    amount_refundable_after: refundable - input.amount,
    requires_approval: requiresApproval,
    ...(approval === undefined ? {} : { approval }),
    replayed: false,
  };
}

async function findPayment(deps: Pick<MovementDeps, 'db'>, id: string, ctx: RefundContext): Promise<PaymentRow> {
  const payment = await new PaymentStore(deps.db, ctx.signal).find(id);
  if (payment === undefined) throw paymentNotFound(id);
  return payment;
}

function failureCodeOf(failure: StoredFailure | undefined): string {
  const decline = failure?.details?.['decline_code'];
  return typeof decline === 'string' ? decline : (failure?.code.toLowerCase() ?? 'failed');
}
