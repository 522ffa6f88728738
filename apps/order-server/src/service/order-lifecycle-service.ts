import { customerFilterFor, requireAnyCustomer } from '@mcpfed/auth';
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { orderCancel, orderFulfill, orderRefund } from '@mcpfed/contract-order';
import { paymentCapture, paymentGet, paymentRefund, paymentRefundable, paymentVoid } from '@mcpfed/contract-payment';
import { inventoryAdjust } from '@mcpfed/contract-product';
import type { Kysely } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { Logger } from '@mcpfed/telemetry';
import type { OperationRecord, OperationStore } from '../store/operation-store.ts';
import type { OrderDatabase } from '../store/order-database.ts';
import type { OrderLineRecord, OrderRecord, OrderStore } from '../store/order-store.ts';
import type { SagaStore } from '../store/saga-store.ts';
import type { Caller } from './caller.ts';
import type { OrderChanges } from './order-changes.ts';
import { cancelPlan, cancelPreview, fulfillPlan, REFUND_SCOPE, refundPlan, refundScopeMissing, storableText } from './order-operation-plans.ts';
import type { CancelPlan, FulfillPlan, RefundPlan, Restock } from './order-operation-plans.ts';
import { OperationRefused, OrderOperationRunner, RELEASE_ORDER } from './order-operation-runner.ts';
import type { OperationSteps } from './order-operation-runner.ts';
import { upstreamContext } from './order-service.ts';
import { toOrderView } from './order-view.ts';
import type { OrderView } from './order-view.ts';
import { refundPayment } from './payment-refunder.ts';
import type { UpstreamAuth } from './upstream-identity.ts';
import type { UpstreamCallContext, Upstreams } from './upstreams.ts';

type In<T extends { input: z.ZodType }> = z.output<T['input']>;
type Out<T extends { output: z.ZodType }> = z.output<T['output']>;

/** Collaborators and settings of {@link OrderLifecycleService}. */
export interface OrderLifecycleDeps {
  db: Kysely<OrderDatabase>;
  orders: OrderStore;
  sagas: SagaStore;
  operations: OperationStore;
  changes: OrderChanges;
  upstreams: Upstreams;
  logger: Logger;
  /** How long a call may work on its operation before a retry with its key or the sweeper may take over, in milliseconds. */
  operationLeaseMs: number;
  /**
   * How upstream calls authenticate for a caller (`ORDER_UPSTREAM_AUTH`). Default `exchange`. In `service` mode the
   * payment server cannot see the person behind a refund, so a refund it would put to a person is refused here.
   */
  upstreamAuth?: UpstreamAuth;
}

/** The payment_refund approval answer (contract `approvalRequiredSchema`), relayed to the caller unchanged. */
type PaymentApproval = NonNullable<z.output<typeof paymentRefund.output>['approval']>;

/** What {@link OrderLifecycleService} found before claiming a refunding operation. */
type RefundVerdict =
  /** Not the payment server's to ask: a stdio session, or a retry of an operation already claimed. */
  | { readonly kind: 'exempt' }
  /** The payment server let exactly this refund through (none: the preview planned no refund). */
  | { readonly kind: 'checked'; readonly refund: PlannedRefund | undefined }
  | { readonly kind: 'unchecked' }
  | { readonly kind: 'waiting'; readonly order: OrderView; readonly amount: number; readonly approval: PaymentApproval };

/** The refund an order operation would ask the payment server for. */
interface PlannedRefund {
  readonly paymentId: string;
  readonly amount: number;
  readonly currency: string;
  readonly reason: In<typeof paymentRefund>['reason'];
}

/**
 * What happens to an order after checkout: cancel, refund, fulfill. Each is a claimed operation
 * ({@link OrderOperationRunner}): every check and the plan run under the order's row lock and claim the order
 * (new version) before any other server is called, with keys derived from the order, the operation and the
 * caller's idempotency key; the local change then commits with its event. A loser of a race gets CONFLICT and
 * nothing moves; a local write that fails after the remote calls is finished by a retry with the same key.
 */
export class OrderLifecycleService {
  readonly #deps: OrderLifecycleDeps;
  readonly #runner: OrderOperationRunner;

  constructor(deps: OrderLifecycleDeps) {
    this.#deps = Object.freeze({ ...deps });
    this.#runner = new OrderOperationRunner({
      db: deps.db,
      orders: deps.orders,
      sagas: deps.sagas,
      operations: deps.operations,
      logger: deps.logger,
      leaseMs: deps.operationLeaseMs,
      steps: { order_cancel: this.#cancelSteps(), order_refund: this.#refundSteps(), order_fulfill: this.#fulfillSteps() },
    });
  }

  /**
   * order_cancel. A cancel that gives money back (payment_action `refund`: the payment was captured) moves money
   * like order_refund and needs the caller's `payment:refund` too; its dry run says which it would be.
   */
  async cancel(input: In<typeof orderCancel>, caller: Caller): Promise<Out<typeof orderCancel>> {
    await this.#requireReachable(input.order_id, caller);
    if (input.dry_run) {
      const { order, lines, plan } = await this.#runner.preview(input.order_id, input.expected_version, cancelPlan, caller.signal);
      return { order: toOrderView(order, lines), dry_run: true, ...cancelPreview(plan), replayed: false };
    }
    const { idempotency_key: key, ...args } = input;
    // A caller without payment:refund is refused by the run itself, with the order's own answer.
    const refundOf = (plan: CancelPlan): PlannedRefund | undefined =>
      plan.payment_action === 'refund' && plan.payment_id !== null && caller.hasScope(REFUND_SCOPE)
        ? { paymentId: plan.payment_id, amount: plan.refund_amount, currency: plan.currency, reason: 'order_canceled' }
        : undefined;
    const verdict = await this.#refundVerdict('order_cancel', input.order_id, input.expected_version, key, caller, cancelPlan, refundOf);
    if (verdict.kind === 'waiting') {
      return { order: verdict.order, dry_run: false, payment_action: 'refund', refund_amount: verdict.amount, stock_action: 'none', replayed: false, approval: verdict.approval };
    }
    const response = await this.#runner.run({
      tool: 'order_cancel',
      orderId: input.order_id,
      expectedVersion: input.expected_version,
      key,
      args,
      caller,
      plan: (order, lines) => {
        const plan = cancelPlan(order, lines);
        if (plan.payment_action === 'refund' && !caller.hasScope(REFUND_SCOPE)) throw refundScopeMissing(order, plan);
        return checkedRefund(verdict, plan, refundOf);
      },
    });
    return response as Out<typeof orderCancel>;
  }

  /** order_refund. */
  async refund(input: In<typeof orderRefund>, caller: Caller): Promise<Out<typeof orderRefund>> {
    await this.#requireReachable(input.order_id, caller);
    const plan = (order: OrderRecord, lines: OrderLineRecord[]) => refundPlan(order, lines, input);
    if (input.dry_run) {
      const preview = await this.#runner.preview(input.order_id, input.expected_version, plan, caller.signal);
      return { order: toOrderView(preview.order, preview.lines), dry_run: true, refund_amount: preview.plan.amount, payment_refund_id: null, replayed: false };
    }
    const { idempotency_key: key, ...args } = input;
    const refundOf = (refund: RefundPlan): PlannedRefund => ({ paymentId: refund.payment_id, amount: refund.amount, currency: refund.currency, reason: refund.reason });
    const verdict = await this.#refundVerdict('order_refund', input.order_id, input.expected_version, key, caller, plan, refundOf);
    if (verdict.kind === 'waiting') {
      return { order: verdict.order, dry_run: false, refund_amount: verdict.amount, payment_refund_id: null, replayed: false, approval: verdict.approval };
    }
    const response = await this.#runner.run({
      tool: 'order_refund',
      orderId: input.order_id,
      expectedVersion: input.expected_version,
      key,
      args,
      caller,
      plan: (order, lines) => checkedRefund(verdict, plan(order, lines), refundOf),
    });
    return response as Out<typeof orderRefund>;
  }

  /** order_fulfill. */
  async fulfill(input: In<typeof orderFulfill>, caller: Caller): Promise<Out<typeof orderFulfill>> {
    // Shipping is the shop's job, not the customer's.
    requireAnyCustomer(caller.reach, 'order_fulfill');
    // Text the database cannot store fails here, before the claim and before anything is captured.
    const carrier = storableText('carrier', input.carrier);
    const trackingNumber = storableText('tracking_number', input.tracking_number);
    const { idempotency_key: key, ...args } = input;
    const response = await this.#runner.run({
      tool: 'order_fulfill',
      orderId: input.order_id,
      expectedVersion: input.expected_version,
      key,
      args,
      caller,
      plan: (order) => fulfillPlan(order, carrier, trackingNumber),
    });
    return response as Out<typeof orderFulfill>;
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
  async #refundVerdict<P>(
    tool: 'order_cancel' | 'order_refund',
    orderId: string,
    expectedVersion: number,
    key: string,
    caller: Caller,
    plan: (order: OrderRecord, lines: OrderLineRecord[]) => P,
    refundOf: (plan: P) => PlannedRefund | undefined,
  ): Promise<RefundVerdict> {
    // A stdio session is a trusted local process with no one to log in: its calls go as the order server itself.
    if (caller.kind === 'local') return { kind: 'exempt' };
    // A retry of a claimed operation replays or finishes it: its refund was checked when it was claimed.
    if ((await this.#deps.operations.find(this.#deps.db, caller.principalId, tool, key, caller.signal)) !== undefined) return { kind: 'exempt' };
    const preview = await this.#runner.preview(orderId, expectedVersion, plan, caller.signal).catch(() => undefined);
    if (preview === undefined) return { kind: 'unchecked' };
    const refund = refundOf(preview.plan);
    if (refund === undefined || refund.amount <= 0) return { kind: 'checked', refund: undefined };
    const context = upstreamContext(caller);
    if ((this.#deps.upstreamAuth ?? 'exchange') === 'service' || context.subjectToken === undefined) {
      await this.#refuseUnattestedRefund(refund, context);
      return { kind: 'checked', refund };
    }
    const idempotencyKey = `${operationKey(tool === 'order_cancel' ? 'cancel' : 'refund', { order_id: orderId, principal_id: caller.principalId, idempotency_key: key })}:refund`;
    const answer = await this.#deps.upstreams.payment.call(
      paymentRefund,
      { payment_id: refund.paymentId, amount: refund.amount, currency: refund.currency as never, reason: refund.reason, idempotency_key: idempotencyKey, dry_run: true },
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
      throw new AppError('FORBIDDEN', "This refund needs a person's approval, which needs the caller's token on the payment server (ORDER_UPSTREAM_AUTH=exchange); nothing was refunded.", {
        details: { approval: 'unavailable', threshold },
      });
    }
  }

  /**
   * Refuses, before anything is claimed or called, an order the caller does not reach: FORBIDDEN for a caller who
   * reaches no customer, NOT_FOUND (as for a missing order) for another customer's order. An order's customer never
   * changes, so checking before the claim is as good as checking under its lock.
   */
  async #requireReachable(orderId: string, caller: Caller): Promise<void> {
    customerFilterFor(caller.reach);
    if (caller.reach.kind === 'any') return;
    await this.#deps.orders.get(this.#deps.db, orderId, { reach: caller.reach, signal: caller.signal });
  }

  /** Finishes cancels, refunds and fulfilments whose caller is gone (the sweeper's entry point); returns how many. */
  resumeUnattended(limit: number, signal?: AbortSignal): Promise<number> {
    return this.#runner.resumeUnattended(limit, signal);
  }

  #cancelSteps(): OperationSteps {
    return {
      act: async (raw, op, context) => {
        const plan = raw as CancelPlan;
        const base = operationKey('cancel', op);
        // The money step goes first: a refusal there moved nothing, so the whole cancel is refused.
        await refusedMovesNothing(async () => {
          if (plan.payment_action === 'void' && plan.payment_id !== null) await this.#void(plan.payment_id, `${base}:void`, context);
          if (plan.payment_action === 'refund' && plan.payment_id !== null) {
            await refundPayment(
              this.#deps.upstreams.payment,
              { paymentId: plan.payment_id, amount: plan.refund_amount, currency: plan.currency, reason: 'order_canceled', idempotencyKey: `${base}:refund` },
              context,
            );
          }
        });
        await this.#restock(plan.restock, `${base}:restock`, op.order_id, context);
        return {};
      },
      record: async (trx, order, raw, _result, signal) => {
        const plan = raw as CancelPlan;
        const patch = { ...RELEASE_ORDER, cancelled_at: new Date(), refunded_amount: Number(order.refunded_amount) + plan.refund_amount };
        const updated = await this.#deps.changes.transition(trx, order, 'cancelled', 'order_cancel', patch, signal);
        const lines = await this.#deps.orders.lines(trx, [order.id], signal);
        return { order: toOrderView(updated, lines), dry_run: false, ...cancelPreview(plan), replayed: false };
      },
    };
  }

  #refundSteps(): OperationSteps {
    return {
      act: async (raw, op, context) => {
        const plan = raw as RefundPlan;
        const base = operationKey('refund', op);
        const refunded = await refusedMovesNothing(() =>
          refundPayment(
            this.#deps.upstreams.payment,
            { paymentId: plan.payment_id, amount: plan.amount, currency: plan.currency, reason: plan.reason, idempotencyKey: `${base}:refund` },
            context,
          ),
        );
        await this.#restock(plan.restock, `${base}:restock`, op.order_id, context);
        return { refund_id: refunded.refund?.id ?? null };
      },
      record: async (trx, order, raw, result, signal) => {
        const plan = raw as RefundPlan;
        const { orders, changes } = this.#deps;
        await orders.addRefundedQuantities(trx, order.id, plan.lines, signal);
        const total = Number(order.refunded_amount) + plan.amount;
        const to = total >= Number(order.amount_captured) ? 'refunded' : 'partially_refunded';
        const updated = await changes.transition(trx, order, to, 'order_refund', { ...RELEASE_ORDER, refunded_amount: total }, signal);
        const lines = await orders.lines(trx, [order.id], signal);
        return { order: toOrderView(updated, lines), dry_run: false, refund_amount: plan.amount, payment_refund_id: result['refund_id'] ?? null, replayed: false };
      },
    };
  }

  #fulfillSteps(): OperationSteps {
    return {
      act: async (raw, op, context) => {
        const plan = raw as FulfillPlan;
        if (!plan.capture || plan.payment_id === null) return { captured: plan.amount_captured, captured_now: 0 };
        const paymentId = plan.payment_id;
        const key = `${operationKey('fulfill', op)}:capture`;
        const captured = await this.#deps.upstreams.payment.call(paymentCapture, { payment_id: paymentId, idempotency_key: key }, context).then(
          (result) => result.payment.amount_captured,
          (error: unknown) => {
            if (AppError.is(error) && error.code === 'PRECONDITION_FAILED') {
              throw new OperationRefused(
                new AppError('PRECONDITION_FAILED', `The payment of order ${op.order_id} cannot be captured (${error.message}); cancel the order.`, {
                  details: { order_id: op.order_id, status: 'confirmed' },
                  cause: error,
                }),
              );
            }
            if (AppError.is(error) && !error.retryable) throw new OperationRefused(error);
            throw error;
          },
        );
        return { captured, captured_now: captured };
      },
      record: async (trx, order, raw, result, signal) => {
        const plan = raw as FulfillPlan;
        const patch = {
          ...RELEASE_ORDER,
          fulfilled_at: new Date(),
          amount_captured: Number(result['captured']),
          tracking_carrier: plan.carrier,
          tracking_number: plan.tracking_number,
        };
        const updated = await this.#deps.changes.transition(trx, order, 'fulfilled', 'order_fulfill', patch, signal);
        const lines = await this.#deps.orders.lines(trx, [order.id], signal);
        return { order: toOrderView(updated, lines), captured_amount: Number(result['captured_now']), replayed: false };
      },
    };
  }

  async #void(paymentId: string, key: string, context: UpstreamCallContext): Promise<void> {
    const { payment } = this.#deps.upstreams;
    try {
      await payment.call(paymentVoid, { payment_id: paymentId, idempotency_key: key }, context);
    } catch (error) {
      if (!AppError.is(error) || error.code !== 'PRECONDITION_FAILED') throw error;
      const current = await payment.call(paymentGet, { payment_id: paymentId }, context);
      if (current.status !== 'voided') throw error;
    }
  }

  /** Puts units back in stock as returned, at the locations they were taken from. */
  async #restock(restock: readonly Restock[], key: string, orderId: string, context: UpstreamCallContext): Promise<void> {
    for (const { sku, location, units } of restock) {
      await this.#deps.upstreams.product.call(
        inventoryAdjust,
        { sku, location, delta: units, reason: 'returned', reference: orderId, idempotency_key: `${key}:${sku}:${location}` },
        context,
      );
    }
  }
}

/** Keys of the upstream calls of one operation: bound to the order, the caller and the caller's key, within 200 characters. */
function operationKey(kind: string, op: Pick<OperationRecord, 'order_id' | 'principal_id' | 'idempotency_key'>): string {
  return `order:${op.order_id}:${kind}:${createHash('sha256').update(`${op.principal_id}\n${op.idempotency_key}`).digest('hex').slice(0, 32)}`;
}

/** The plan to claim, unless it refunds money the payment server was not asked about first (see #refundVerdict). */
function checkedRefund<P>(verdict: RefundVerdict, plan: P, refundOf: (plan: P) => PlannedRefund | undefined): P {
  if (verdict.kind === 'exempt') return plan;
  const planned = refundOf(plan);
  if (planned === undefined || planned.amount <= 0) return plan;
  const checked = verdict.kind === 'checked' ? verdict.refund : undefined;
  if (checked?.paymentId !== planned.paymentId || checked.amount !== planned.amount || checked.reason !== planned.reason) {
    throw new AppError('CONFLICT', 'The order changed while its refund was being checked; nothing was done. Read the order again (order_get) and retry.', { retryable: true });
  }
  return plan;
}

/** Runs the first money step: a non-retryable refusal there moved nothing, so the operation fails with it. */
async function refusedMovesNothing<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (AppError.is(error) && !error.retryable) throw new OperationRefused(error);
    throw error;
  }
}
