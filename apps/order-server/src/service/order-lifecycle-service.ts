import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { orderCancel, orderFulfill, orderRefund } from '@mcpfed/contract-order';
import { paymentCapture, paymentGet, paymentVoid } from '@mcpfed/contract-payment';
import { inventoryAdjust } from '@mcpfed/contract-product';
import { inTransaction } from '@mcpfed/db';
import type { Kysely } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import { digest } from '@mcpfed/mcp-runtime';
import type { OrderDatabase } from '../store/order-database.ts';
import type { OperationStore } from '../store/operation-store.ts';
import type { OrderLineRecord, OrderRecord, OrderStore } from '../store/order-store.ts';
import type { SagaStore } from '../store/saga-store.ts';
import type { Caller } from './caller.ts';
import type { OrderChanges } from './order-changes.ts';
import { staleVersion, upstreamContext } from './order-service.ts';
import { toOrderView } from './order-view.ts';
import { refundPayment } from './payment-refunder.ts';
import type { UpstreamCallContext, Upstreams } from './upstreams.ts';

type In<T extends { input: z.ZodType }> = z.output<T['input']>;
type Out<T extends { output: z.ZodType }> = z.output<T['output']>;

/** Collaborators of {@link OrderLifecycleService}. */
export interface OrderLifecycleDeps {
  db: Kysely<OrderDatabase>;
  orders: OrderStore;
  sagas: SagaStore;
  operations: OperationStore;
  changes: OrderChanges;
  upstreams: Upstreams;
}

const REFUNDABLE_STATUSES = new Set(['confirmed', 'fulfilled', 'delivered', 'partially_refunded']);

/**
 * What happens to an order after checkout: cancel, refund, fulfill. Each calls other servers outside any database
 * transaction with keys derived from the order and the caller's idempotency key, so a whole call can be repeated
 * after a crash or a TIMEOUT without acting twice; the local change then commits with its event. The caller's key
 * and the response are kept in `order_operations` for replays.
 */
export class OrderLifecycleService {
  readonly #deps: OrderLifecycleDeps;

  constructor(deps: OrderLifecycleDeps) {
    this.#deps = Object.freeze({ ...deps });
  }

  /** order_cancel. */
  async cancel(input: In<typeof orderCancel>, caller: Caller): Promise<Out<typeof orderCancel>> {
    return this.#idempotent('order_cancel', input, caller, async () => {
      const { order, lines } = await this.#current(input.order_id, input.expected_version);
      await this.#assertCheckoutFinished(order);
      if (order.status !== 'confirmed') {
        throw new AppError('PRECONDITION_FAILED', cancelRefusal(order), { details: { order_id: order.id, status: order.status } });
      }
      const captured = Number(order.amount_captured) - Number(order.refunded_amount);
      const paymentAction = captured > 0 ? 'refund' : order.payment_id === null ? 'none' : 'void';
      const stockAction = order.reservation_id === null ? 'none' : 'restock';
      const preview = { payment_action: paymentAction, refund_amount: Math.max(0, captured), stock_action: stockAction } as const;
      if (input.dry_run) return { order: toOrderView(order, lines), dry_run: true, ...preview, replayed: false };
      const context = upstreamContext(caller);
      const base = operationKey('cancel', order.id, caller.principalId, input.idempotency_key);
      if (paymentAction === 'void' && order.payment_id !== null) await this.#void(order.payment_id, `${base}:void`, context);
      if (paymentAction === 'refund' && order.payment_id !== null) {
        await refundPayment(
          this.#deps.upstreams.payment,
          { paymentId: order.payment_id, amount: captured, currency: order.currency, reason: 'order_canceled', idempotencyKey: `${base}:refund` },
          context,
        );
      }
      if (stockAction === 'restock') {
        await this.#restock(lines.map((line) => ({ line, quantity: line.quantity - line.refunded_quantity })), `${base}:restock`, order.id, context);
      }
      const updated = await inTransaction(this.#deps.db, async (trx) => {
        const locked = await this.#deps.orders.get(trx, order.id, { forUpdate: true });
        if (locked.status !== 'confirmed') return locked;
        return this.#deps.changes.transition(trx, locked, 'cancelled', 'order_cancel', {
          cancelled_at: new Date(),
          refunded_amount: Number(locked.refunded_amount) + Math.max(0, captured),
        });
      });
      return { order: toOrderView(updated, await this.#deps.orders.lines(this.#deps.db, [order.id])), dry_run: false, ...preview, replayed: false };
    });
  }

  /** order_refund. */
  async refund(input: In<typeof orderRefund>, caller: Caller): Promise<Out<typeof orderRefund>> {
    return this.#idempotent('order_refund', input, caller, async () => {
      const { order, lines } = await this.#current(input.order_id, input.expected_version);
      await this.#assertCheckoutFinished(order);
      const capturedLeft = Number(order.amount_captured) - Number(order.refunded_amount);
      if (!REFUNDABLE_STATUSES.has(order.status) || order.payment_id === null || capturedLeft <= 0) {
        throw new AppError(
          'PRECONDITION_FAILED',
          Number(order.amount_captured) === 0 && order.status === 'confirmed'
            ? `Order ${order.id} has not been paid yet (payment not captured): cancel it with order_cancel instead.`
            : `Order ${order.id} is ${order.status} with nothing left to refund.`,
          { details: { order_id: order.id, status: order.status } },
        );
      }
      const bySku = new Map(lines.map((line) => [line.sku, line]));
      const requested = input.lines ?? lines.filter((l) => l.quantity > l.refunded_quantity).map((l) => ({ sku: l.sku, quantity: l.quantity - l.refunded_quantity }));
      let amount = 0;
      const picked: Array<{ line: OrderLineRecord; quantity: number }> = [];
      for (const request of requested) {
        const line = bySku.get(request.sku);
        if (line === undefined) {
          throw new AppError('VALIDATION_FAILED', `${request.sku} is not on order ${order.id}.`, { details: { issues: [{ path: 'lines', message: `${request.sku} is not on the order` }] } });
        }
        const refundable = line.quantity - line.refunded_quantity;
        if (request.quantity > refundable) {
          throw new AppError('PRECONDITION_FAILED', `Only ${refundable} unit(s) of ${line.sku} are left to refund.`, {
            details: { order_id: order.id, sku: line.sku, refundable_quantity: refundable },
          });
        }
        amount += Number(line.unit_price) * request.quantity;
        picked.push({ line, quantity: request.quantity });
      }
      amount = Math.min(amount, capturedLeft);
      if (amount <= 0) {
        throw new AppError('PRECONDITION_FAILED', `Nothing left to refund on order ${order.id}.`, { details: { order_id: order.id, status: order.status } });
      }
      if (input.dry_run) return { order: toOrderView(order, lines), dry_run: true, refund_amount: amount, payment_refund_id: null, replayed: false };
      const context = upstreamContext(caller);
      const base = operationKey('refund', order.id, caller.principalId, input.idempotency_key);
      const refunded = await refundPayment(
        this.#deps.upstreams.payment,
        { paymentId: order.payment_id, amount, currency: order.currency, reason: input.reason, idempotencyKey: `${base}:refund` },
        context,
      );
      if (input.restock) await this.#restock(picked, `${base}:restock`, order.id, context);
      const updated = await inTransaction(this.#deps.db, async (trx) => {
        const locked = await this.#deps.orders.get(trx, order.id, { forUpdate: true });
        if (locked.version !== order.version) return locked;
        await this.#deps.orders.addRefundedQuantities(trx, order.id, picked.map((p) => ({ sku: p.line.sku, quantity: p.quantity })));
        const total = Number(locked.refunded_amount) + amount;
        return this.#deps.changes.transition(trx, locked, total >= Number(locked.amount_captured) ? 'refunded' : 'partially_refunded', 'order_refund', {
          refunded_amount: total,
        });
      });
      return {
        order: toOrderView(updated, await this.#deps.orders.lines(this.#deps.db, [order.id])),
        dry_run: false,
        refund_amount: amount,
        payment_refund_id: refunded.refund?.id ?? null,
        replayed: false,
      };
    });
  }

  /** order_fulfill. */
  async fulfill(input: In<typeof orderFulfill>, caller: Caller): Promise<Out<typeof orderFulfill>> {
    return this.#idempotent('order_fulfill', input, caller, async () => {
      const { order } = await this.#current(input.order_id, input.expected_version);
      await this.#assertCheckoutFinished(order);
      if (order.status !== 'confirmed') {
        throw new AppError('PRECONDITION_FAILED', `Order ${order.id} is ${order.status}; only a confirmed order can be fulfilled.`, {
          details: { order_id: order.id, status: order.status },
        });
      }
      let capturedNow = 0;
      let captured = Number(order.amount_captured);
      if (captured === 0 && order.payment_id !== null) {
        const key = `${operationKey('fulfill', order.id, caller.principalId, input.idempotency_key)}:capture`;
        try {
          const result = await this.#deps.upstreams.payment.call(paymentCapture, { payment_id: order.payment_id, idempotency_key: key }, upstreamContext(caller));
          captured = result.payment.amount_captured;
        } catch (error) {
          if (AppError.is(error) && error.code === 'PRECONDITION_FAILED') {
            throw new AppError('PRECONDITION_FAILED', `The payment of order ${order.id} cannot be captured (${error.message}); cancel the order.`, {
              details: { order_id: order.id, status: order.status },
              cause: error,
            });
          }
          throw error;
        }
        capturedNow = captured;
      }
      const updated = await inTransaction(this.#deps.db, async (trx) => {
        const locked = await this.#deps.orders.get(trx, order.id, { forUpdate: true });
        if (locked.status !== 'confirmed') return locked;
        return this.#deps.changes.transition(trx, locked, 'fulfilled', 'order_fulfill', {
          fulfilled_at: new Date(),
          amount_captured: captured,
          tracking_carrier: input.carrier,
          tracking_number: input.tracking_number,
        });
      });
      return { order: toOrderView(updated, await this.#deps.orders.lines(this.#deps.db, [order.id])), captured_amount: capturedNow, replayed: false };
    });
  }

  async #idempotent<T extends { replayed: boolean }>(
    tool: string,
    input: { idempotency_key: string; order_id: string; dry_run?: boolean },
    caller: Caller,
    run: () => Promise<T>,
  ): Promise<T> {
    if (input.dry_run === true) return run();
    const { idempotency_key: key, ...args } = input;
    const requestHash = digest(args);
    const { operations, db } = this.#deps;
    const earlier = await operations.find(db, caller.principalId, tool, key);
    if (earlier !== undefined) {
      if (earlier.request_hash !== requestHash) {
        throw new AppError('IDEMPOTENCY_KEY_REUSED', `Idempotency key "${key}" was already used for ${tool} with different arguments. Use a new key.`, {
          details: { idempotency_key: key },
        });
      }
      if (earlier.response !== null) return { ...(earlier.response as T), replayed: true };
    }
    const response = await run();
    await operations.complete(db, { principalId: caller.principalId, tool, key, requestHash, orderId: input.order_id, response });
    return response;
  }

  async #current(orderId: string, expectedVersion: number): Promise<{ order: OrderRecord; lines: OrderLineRecord[] }> {
    const order = await this.#deps.orders.get(this.#deps.db, orderId);
    if (order.version !== expectedVersion) throw staleVersion(order.id, order.version, expectedVersion);
    return { order, lines: await this.#deps.orders.lines(this.#deps.db, [orderId]) };
  }

  async #assertCheckoutFinished(order: OrderRecord): Promise<void> {
    const saga = await this.#deps.sagas.find(this.#deps.db, order.id);
    if (order.status === 'pending' || (saga !== undefined && (saga.status === 'running' || saga.status === 'compensating'))) {
      throw new AppError('PRECONDITION_FAILED', `The checkout of order ${order.id} is still running; wait for it (order_get) and try again.`, {
        details: { order_id: order.id, status: order.status },
        retryable: true,
      });
    }
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
  async #restock(picked: ReadonlyArray<{ line: OrderLineRecord; quantity: number }>, key: string, orderId: string, context: UpstreamCallContext): Promise<void> {
    for (const { line, quantity } of picked) {
      let left = quantity;
      for (const allocation of line.allocations) {
        if (left <= 0) break;
        const units = Math.min(left, allocation.quantity);
        left -= units;
        await this.#deps.upstreams.product.call(
          inventoryAdjust,
          { sku: line.sku, location: allocation.location, delta: units, reason: 'returned', reference: orderId, idempotency_key: `${key}:${line.sku}:${allocation.location}` },
          context,
        );
      }
    }
  }
}


/** Keys of the upstream calls of one operation: bound to the order, the caller and the caller's key, within 200 characters. */
function operationKey(kind: string, orderId: string, principalId: string, key: string): string {
  return `order:${orderId}:${kind}:${createHash('sha256').update(`${principalId}\n${key}`).digest('hex').slice(0, 32)}`;
}

function cancelRefusal(order: OrderRecord): string {
  switch (order.status) {
    case 'fulfilled':
    case 'delivered':
    case 'partially_refunded':
      return `Order ${order.id} is ${order.status}: it has shipped, so refund it with order_refund instead.`;
    default:
      return `Order ${order.id} is ${order.status}; there is nothing to cancel.`;
  }
}
