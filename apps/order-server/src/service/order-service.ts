import { z } from 'zod';
import { customerCheckEligibility } from '@mcpfed/contract-customer';
import { CHECKOUT_STEPS, MAX_SUMMARY_DAYS } from '@mcpfed/contract-order';
import type {
  orderEvents,
  orderGet,
  orderMarkDelivered,
  orderPlace,
  orderQuote,
  orderSearch,
  orderSummary,
} from '@mcpfed/contract-order';
import { productLookup } from '@mcpfed/contract-product';
import { customerFilterFor, requireAnyCustomer, requireCustomer } from '@mcpfed/auth';
import type { CustomerReach } from '@mcpfed/auth';
import { decodeCursor, encodeCursor, inTransaction, newId } from '@mcpfed/db';
import type { Kysely } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import { digest } from '@mcpfed/mcp-runtime';
import type { OrderDatabase } from '../store/order-database.ts';
import type { OrderStore } from '../store/order-store.ts';
import type { OutboxStore } from '../store/outbox-store.ts';
import type { SagaRecord, SagaStore } from '../store/saga-store.ts';
import type { Caller } from './caller.ts';
import type { OrderApprovals } from './order-approvals.ts';
import type { CheckoutQueue } from './checkout-queue.ts';
import type { OrderChanges } from './order-changes.ts';
import { toOrderEvent } from './outbox-relay.ts';
import { toOrderView } from './order-view.ts';
import type { OrderView } from './order-view.ts';
import type { UpstreamIdentity } from './upstream-identity.ts';
import type { UpstreamCallContext, Upstreams } from './upstreams.ts';
import { toWorkflowView } from './workflow-view.ts';

type In<T extends { input: z.ZodType }> = z.output<T['input']>;
type Out<T extends { output: z.ZodType }> = z.output<T['output']>;

/** Collaborators of {@link OrderService}. */
export interface OrderServiceDeps {
  db: Kysely<OrderDatabase>;
  orders: OrderStore;
  sagas: SagaStore;
  outbox: OutboxStore;
  changes: OrderChanges;
  queue: CheckoutQueue;
  upstreams: Upstreams;
  /** Which orders wait for a person's approval. Default none does. */
  approvals?: OrderApprovals;
  /** Keeps the caller's token (sealed) for the checkout a worker runs later. */
  identity: UpstreamIdentity;
  /** While order_place waits, how often it also reads the saga from the database (another replica may run it), in milliseconds. */
  pollIntervalMs: number;
}

const searchCursor = z.object({ placed_at: z.string(), id: z.string(), sort: z.string() });
const feedCursor = z.object({ after: z.number().int().min(0) });
/** Events an order_events call numbers before it reads (the rest wait for the relay or the next call). */
const FEED_POSITION_BATCH = 1000;

/**
 * Placing, reading and listing orders; the event feed and the summary. Customer reach (`Caller.reach`, see
 * `customerReachOf` of @mcpfed/auth): placing or quoting for a customer the caller does not reach is FORBIDDEN; an
 * order of such a customer is NOT_FOUND, like a missing one; lists and the feed hold only reachable customers'
 * orders; the summary and delivery marks are staff's (`customer:any`). Checked before anything is written or called.
 */
export class OrderService {
  readonly #deps: OrderServiceDeps;

  constructor(deps: OrderServiceDeps) {
    this.#deps = Object.freeze({ ...deps });
  }

  /**
   * order_place: validates the SKUs against the catalog, writes the order `pending` with its saga and its
   * `order.placed` event in one transaction, enqueues the saga and waits up to wait_ms for it to finish. An order
   * that needs a person's approval (OrderApprovals) places nothing until it is approved, then uses the approval up
   * in that transaction.
   */
  async place(input: In<typeof orderPlace>, caller: Caller): Promise<Out<typeof orderPlace>> {
    const { db, orders, sagas, changes, queue, upstreams, identity } = this.#deps;
    requireCustomer(caller.reach, input.customer_id);
    const { idempotency_key: key, wait_ms: waitMs, ...args } = input;
    const requestHash = digest(args);
    let existing = await orders.findByKey(db, caller.principalId, key);
    if (existing === undefined) {
      const lookup = await upstreams.product.call(productLookup, { skus: input.lines.map((line) => line.sku) }, upstreamContext(caller));
      if (lookup.missing.length > 0) {
        throw new AppError('NOT_FOUND', `These SKUs are not in the catalog: ${lookup.missing.join(', ')}. Remove them or correct them (product_search).`, {
          details: { skus: lookup.missing },
        });
      }
      const price = new Map(lookup.items.map((item) => [item.sku, item.price]));
      const currency = lookup.items[0]?.price.currency ?? 'EUR';
      let approvalId: string | undefined;
      if (this.#deps.approvals !== undefined) {
        const names = new Map(lookup.items.map((item) => [item.sku, item.name]));
        const items = input.lines.map((line) => {
          const unit = price.get(line.sku)?.amount ?? 0;
          return { sku: line.sku, name: names.get(line.sku) ?? null, quantity: line.quantity, unit_amount: unit, line_amount: unit * line.quantity };
        });
        const verdict = await this.#deps.approvals.verdict(db, caller, {
          idempotencyKey: key,
          argsDigest: requestHash,
          customerId: input.customer_id,
          paymentMethod: input.payment_method,
          summary: { amount: items.reduce((sum, item) => sum + item.line_amount, 0), currency, items },
        });
        if (!verdict.place && 'state' in verdict) return { done: false, replayed: false, approval: this.#deps.approvals.required(verdict.state) };
        if (!verdict.place) {
          const placed = await orders.findByKey(db, caller.principalId, key);
          if (placed === undefined) throw this.#deps.approvals.refusal(verdict.used);
          return this.#answer(placed.id, waitMs, true, caller);
        }
        approvalId = verdict.approvalId;
      }
      const id = newId('ord');
      const inserted = await inTransaction(db, async (trx) => {
        const fresh = await orders.insert(trx, {
          id,
          principalId: caller.principalId,
          idempotencyKey: key,
          requestHash,
          customerId: input.customer_id,
          captureMode: input.capture_mode,
          currency,
          shippingAddressId: input.shipping_address_id ?? null,
          paymentMethod: input.payment_method,
          lines: input.lines.map((line) => ({ sku: line.sku, quantity: line.quantity, unitPrice: price.get(line.sku)?.amount ?? 0 })),
        });
        if (fresh === undefined) return false;
        // Used up with the order it approved: one approval, one order (a rollback leaves it usable).
        if (approvalId !== undefined) await this.#deps.approvals?.consume(trx, approvalId);
        await sagas.create(trx, id, CHECKOUT_STEPS[0]);
        await identity.keep(trx, id, caller);
        await changes.placed(trx, fresh);
        return true;
      });
      if (inserted) {
        await queue.enqueue(id, caller.traceparent);
        return this.#answer(id, waitMs, false, caller);
      }
      existing = await orders.findByKey(db, caller.principalId, key);
      if (existing === undefined) throw new AppError('CONFLICT', 'The order with this idempotency key is being written; retry shortly.', { retryable: true });
    }
    if (existing.request_hash !== requestHash) {
      throw new AppError(
        'IDEMPOTENCY_KEY_REUSED',
        `Idempotency key "${key}" was already used for order ${existing.id} with different arguments. Use a new key for a new order, or resend the original arguments to get that order.`,
        { details: { idempotency_key: key, order_id: existing.id } },
      );
    }
    return this.#answer(existing.id, waitMs, true, caller);
  }

  async #answer(orderId: string, waitMs: number, replayed: boolean, caller: Caller): Promise<Out<typeof orderPlace>> {
    const saga = await this.#waitForSaga(orderId, waitMs, caller);
    return { order: await this.view(this.#deps.db, orderId), done: saga.status === 'completed' || saga.status === 'failed', replayed };
  }

  /** Waits until the saga finished, `waitMs` passed or the call was aborted; reports each step as progress. */
  async #waitForSaga(orderId: string, waitMs: number, caller: Caller): Promise<SagaRecord> {
    const { db, sagas, queue, pollIntervalMs } = this.#deps;
    const finished = (saga: SagaRecord): boolean => saga.status === 'completed' || saga.status === 'failed';
    const log = caller.clientLog ?? (async () => {});
    let latest = await sagas.get(db, orderId);
    if (finished(latest) || waitMs === 0) return latest;
    // Log messages carry the order id, step names and reason codes only: never the customer, addresses or
    // payment details, and never the saga's free-text failure message (docs/security.md).
    void log('info', 'Waiting for the checkout to finish', { order_id: orderId, wait_ms: waitMs, status: latest.status, next_step: latest.step });
    let reported = -1;
    let polls = 0;
    const report = (saga: SagaRecord): void => {
      if (saga.completed_steps.length <= reported) return;
      reported = saga.completed_steps.length;
      void caller.progress?.(reported, CHECKOUT_STEPS.length, `${saga.status}: next ${saga.step}`).catch(() => undefined);
      if (reported > 0) void log('info', 'Checkout step done', { order_id: orderId, step: saga.completed_steps[reported - 1] ?? '', done: reported, of: CHECKOUT_STEPS.length });
      if (saga.status === 'compensating') void log('warning', 'Checkout is undoing its steps', { order_id: orderId, next_step: saga.step });
    };
    report(latest);
    return new Promise<SagaRecord>((resolve) => {
      let settled = false;
      const settle = (saga: SagaRecord): void => {
        if (settled) return;
        settled = true;
        if (saga.status === 'completed') void log('notice', 'Checkout completed', { order_id: orderId });
        else if (saga.status === 'failed') void log('error', 'Checkout failed', { order_id: orderId, reason: saga.failure_reason ?? 'unknown' });
        else void log('notice', 'Stopped waiting; the checkout goes on: poll order_get', { order_id: orderId, status: saga.status, next_step: saga.step });
        clearTimeout(deadline);
        clearInterval(poll);
        unsubscribe();
        caller.signal.removeEventListener('abort', onAbort);
        resolve(saga);
      };
      const seen = (saga: SagaRecord): void => {
        latest = saga;
        report(saga);
        if (finished(saga)) settle(saga);
      };
      const unsubscribe = queue.subscribe(orderId, seen);
      const onAbort = (): void => settle(latest);
      caller.signal.addEventListener('abort', onAbort, { once: true });
      const deadline = setTimeout(() => settle(latest), waitMs);
      const poll = setInterval(() => {
        polls += 1;
        void log('debug', 'Reading the checkout state', { order_id: orderId, poll: polls });
        sagas.get(db, orderId).then(seen, () => undefined);
      }, pollIntervalMs);
    });
  }

  /** An order with its lines. */
  async view(db: Kysely<OrderDatabase>, orderId: string, signal?: AbortSignal): Promise<OrderView> {
    const order = await this.#deps.orders.get(db, orderId, { signal });
    return toOrderView(order, await this.#deps.orders.lines(db, [orderId], signal));
  }

  /** order_quote: current prices, stock and eligibility, without holding anything. */
  async quote(input: In<typeof orderQuote>, caller: Caller): Promise<Out<typeof orderQuote>> {
    requireCustomer(caller.reach, input.customer_id);
    const context = upstreamContext(caller);
    const [eligibility, lookup] = await Promise.all([
      this.#deps.upstreams.customer.call(
        customerCheckEligibility,
        { customer_id: input.customer_id, ...(input.shipping_address_id === undefined ? {} : { shipping_address_id: input.shipping_address_id }) },
        context,
      ),
      this.#deps.upstreams.product.call(productLookup, { skus: input.lines.map((line) => line.sku) }, context),
    ]);
    const items = new Map(lookup.items.map((item) => [item.sku, item]));
    const problems: Out<typeof orderQuote>['problems'] = [];
    if (!eligibility.eligible) {
      problems.push({ code: 'customer_not_eligible', sku: null, message: eligibility.reasons.map((r) => r.message).join('; ') || 'The customer may not buy now.' });
    }
    const lines = input.lines.map((line) => {
      const item = items.get(line.sku);
      if (item === undefined) {
        problems.push({ code: 'sku_not_found', sku: line.sku, message: `${line.sku} is not in the catalog.` });
        return { sku: line.sku, quantity: line.quantity, name: null, unit_price: null, line_total: null, available: 0 };
      }
      if (item.status !== 'active') problems.push({ code: 'product_not_active', sku: line.sku, message: `${line.sku} is ${item.status}.` });
      const available = Math.max(0, item.available);
      if (available < line.quantity) {
        problems.push({ code: 'insufficient_stock', sku: line.sku, message: `${line.quantity} requested, ${available} available.` });
      }
      return {
        sku: line.sku,
        quantity: line.quantity,
        name: item.name,
        unit_price: item.price,
        line_total: { amount: item.price.amount * line.quantity, currency: item.price.currency },
        available,
      };
    });
    const currencies = new Set(lines.flatMap((line) => (line.unit_price === null ? [] : [line.unit_price.currency])));
    if (currencies.size > 1) problems.push({ code: 'mixed_currencies', sku: null, message: `The lines are priced in ${[...currencies].join(', ')}.` });
    const [currency] = currencies;
    const total =
      currencies.size === 1 && currency !== undefined
        ? { amount: lines.reduce((sum, line) => sum + (line.line_total?.amount ?? 0), 0), currency }
        : null;
    return { customer_id: input.customer_id, eligible: eligibility.eligible, lines, total, problems, can_place: problems.length === 0 };
  }

  /** order_get (also the order:// resource and the triage prompt). */
  async get(input: In<typeof orderGet>, reach: CustomerReach): Promise<Out<typeof orderGet>> {
    const { db, orders, outbox, sagas } = this.#deps;
    customerFilterFor(reach); // an unbound caller without customer:any is refused outright
    const order = input.order_id !== undefined ? await orders.get(db, input.order_id, { reach }) : await orders.getByNumber(db, input.order_number as number, reach);
    const [lines, history, saga] = await Promise.all([orders.lines(db, [order.id]), outbox.history(db, order.id, 50), sagas.find(db, order.id)]);
    return {
      order: toOrderView(order, lines),
      history: history.map((event) => ({
        event_id: event.id,
        sequence: Number(event.sequence),
        type: event.type,
        status: event.status,
        occurred_at: event.occurred_at.toISOString(),
      })),
      workflow: saga === undefined ? null : toWorkflowView(saga),
    };
  }

  /** order_search. */
  async search(input: In<typeof orderSearch>, reach: CustomerReach): Promise<Out<typeof orderSearch>> {
    const filter = input.filter ?? {};
    const customerId = customerFilterFor(reach, filter.customer_id);
    if (filter.placed_from !== undefined && filter.placed_to !== undefined && new Date(filter.placed_from) >= new Date(filter.placed_to)) {
      throw new AppError('VALIDATION_FAILED', 'filter.placed_from must be before filter.placed_to.', {
        details: { issues: [{ path: 'filter.placed_from', message: 'must be before placed_to' }] },
      });
    }
    const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, searchCursor);
    if (after !== undefined && after.sort !== input.sort) {
      throw new AppError('VALIDATION_FAILED', 'cursor is invalid or expired; request the first page again without a cursor.', { details: { field: 'cursor' } });
    }
    const rows = await this.#deps.orders.search(this.#deps.db, {
      customerId,
      status: filter.status,
      placedFrom: filter.placed_from,
      placedTo: filter.placed_to,
      ascending: input.sort === 'placed_at_asc',
      after,
      limit: input.limit + 1,
    });
    const page = rows.slice(0, input.limit);
    const lines = await this.#deps.orders.lines(this.#deps.db, page.map((row) => row.id));
    const last = page.at(-1);
    return {
      items: page.map((row) => toOrderView(row, lines.filter((line) => line.order_id === row.id))),
      next_cursor: rows.length > input.limit && last !== undefined ? encodeCursor({ placed_at: last.placed_at.toISOString(), id: last.id, sort: input.sort }) : null,
    };
  }

  /**
   * order_events: the outbox as a feed in commit order (feed positions); the cursor always points after the last
   * position seen, and an event committed later always gets a later position, so following it misses nothing.
   */
  async events(input: In<typeof orderEvents>, reach: CustomerReach, signal?: AbortSignal): Promise<Out<typeof orderEvents>> {
    const customerId = customerFilterFor(reach, input.filter?.customer_id);
    const after = input.cursor === undefined ? 0 : decodeCursor(input.cursor, feedCursor).after;
    const filter = input.filter ?? {};
    // Number what has committed so far (the relay does it too, every OUTBOX_INTERVAL_MS): a caller reads its own
    // changes at once. Cheap when there is nothing to number: a lock held for one indexed UPDATE.
    await this.#deps.outbox.assignPositions(this.#deps.db, FEED_POSITION_BATCH, signal);
    const rows = await this.#deps.outbox.feed(
      this.#deps.db,
      { afterPosition: after, orderId: filter.order_id, customerId, types: filter.types, limit: input.limit },
      signal,
    );
    const last = rows.at(-1);
    return {
      items: rows.map((row) => ({ event: toOrderEvent(row), published: row.published_at !== null })),
      next_cursor: encodeCursor({ after: last?.position == null ? after : Number(last.position) }),
    };
  }

  /** order_summary. */
  async summary(input: In<typeof orderSummary>, reach: CustomerReach): Promise<Out<typeof orderSummary>> {
    requireAnyCustomer(reach, 'order_summary');
    const to = input.to === undefined ? new Date() : new Date(input.to);
    const from = input.from === undefined ? new Date(to.getTime() - 7 * 86_400_000) : new Date(input.from);
    if (from >= to) {
      throw new AppError('VALIDATION_FAILED', 'from must be before to.', { details: { issues: [{ path: 'from', message: 'must be before to' }] } });
    }
    if (to.getTime() - from.getTime() > MAX_SUMMARY_DAYS * 86_400_000) {
      throw new AppError('VALIDATION_FAILED', `The window may span at most ${MAX_SUMMARY_DAYS} days.`, {
        details: { issues: [{ path: 'from', message: `at most ${MAX_SUMMARY_DAYS} days before to` }] },
      });
    }
    const raw = await this.#deps.orders.summary(this.#deps.db, from.toISOString(), to.toISOString());
    const rows = raw.map((row) => ({
      day: row.day,
      status: row.status,
      currency: row.currency,
      orders: Number(row.orders),
      total_amount: Number(row.total_amount),
      refunded_amount: Number(row.refunded_amount),
    }));
    const totals = new Map<string, Out<typeof orderSummary>['totals'][number]>();
    for (const row of rows) {
      const k = `${row.status}|${row.currency}`;
      const entry = totals.get(k) ?? { status: row.status, currency: row.currency, orders: 0, total_amount: 0, refunded_amount: 0 };
      entry.orders += row.orders;
      entry.total_amount += row.total_amount;
      entry.refunded_amount += row.refunded_amount;
      totals.set(k, entry);
    }
    return { from: from.toISOString(), to: to.toISOString(), rows, totals: [...totals.values()] };
  }

  /** order_mark_delivered, in the runtime's transaction (`db`). */
  async markDelivered(db: Kysely<OrderDatabase>, input: In<typeof orderMarkDelivered>, reach: CustomerReach): Promise<Out<typeof orderMarkDelivered>> {
    requireAnyCustomer(reach, 'order_mark_delivered');
    const { orders, changes } = this.#deps;
    const order = await orders.get(db, input.order_id, { forUpdate: true });
    // A repeated call (its first answer lost) finds the order delivered at a newer version: nothing to do, no conflict.
    if (order.status === 'delivered') return { order: toOrderView(order, await orders.lines(db, [order.id])), changed: false };
    if (order.version !== input.expected_version) throw staleVersion(order.id, order.version, input.expected_version);
    if (order.busy_operation_id !== null) {
      throw new AppError('CONFLICT', `Order ${order.id} is being changed by another call (order_refund, order_cancel or order_fulfill); wait a few seconds, read it again (order_get) and retry with its new version.`, {
        retryable: true,
        details: { order_id: order.id, current_version: order.version },
      });
    }
    const at = input.delivered_at === undefined ? new Date() : new Date(input.delivered_at);
    if (at.getTime() > Date.now() + 60_000) {
      throw new AppError('VALIDATION_FAILED', 'delivered_at must not be in the future.', { details: { issues: [{ path: 'delivered_at', message: 'in the future' }] } });
    }
    const updated = await changes.transition(db, order, 'delivered', 'order_mark_delivered', { delivered_at: at });
    return { order: toOrderView(updated, await orders.lines(db, [order.id])), changed: true };
  }
}

/** The context of an upstream call made for a caller: its signal, its token (to exchange) and its trace. */
export function upstreamContext(caller: Caller): UpstreamCallContext {
  return {
    signal: caller.signal,
    ...(caller.credential === undefined ? {} : { subjectToken: caller.credential.token }),
    ...(caller.traceparent === undefined ? {} : { traceparent: caller.traceparent }),
  };
}

/** CONFLICT for an update whose expected_version is not the order's version. */
export function staleVersion(orderId: string, current: number, expected: number): AppError {
  return new AppError('CONFLICT', `Order ${orderId} is at version ${current}, not ${expected}: read it again (order_get) and retry with its version.`, {
    details: { order_id: orderId, current_version: current, expected_version: expected },
  });
}
