import { z } from 'zod';
import { customerFilterFor, customerReachOf, requireAnyCustomer } from '@mcpfed/auth';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import { MAX_SUMMARY_DAYS } from '@mcpfed/contract-order';
import type { orderEvents, orderGet, orderMarkDelivered, orderSearch, orderSummary } from '@mcpfed/contract-order';
import { decodeCursor, encodeCursor } from '@mcpfed/db';
import type { Kysely } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { OrderDatabase } from '../store/order-database.ts';
import { OrderStore } from '../store/order-store.ts';
import { OutboxStore } from '../store/outbox-store.ts';
import { SagaStore } from '../store/saga-store.ts';
import type { OrderChanges } from './order-changes.ts';
import { toOrderEvent } from './order-event-view.ts';
import { toOrderView } from './order-view.ts';
import { staleVersion } from './stale-version.ts';
import { toWorkflowView } from './workflow-view.ts';

/** Collaborators of {@link OrderService}. */
export interface OrderServiceDeps {
  db: Kysely<OrderDatabase>;
  changes: OrderChanges;
}

const searchCursor = z.object({ placed_at: z.string(), id: z.string(), sort: z.string() });
const feedCursor = z.object({ after: z.number().int().min(0) });
/** Events an order_events call numbers before it reads (the rest wait for the relay or the next call). */
const FEED_POSITION_BATCH = 1000;

/**
 * Reading and listing orders, the event feed, the summary and delivery marks. Customer reach (`customerReachOf` of
 * @mcpfed/auth): an order of a customer the caller does not reach is NOT_FOUND, like a missing one; lists and the
 * feed hold only reachable customers' orders; the summary and delivery marks are staff's (`customer:any`).
 */
export class OrderService {
  readonly #deps: OrderServiceDeps;

  constructor(deps: OrderServiceDeps) {
    this.#deps = Object.freeze({ ...deps });
  }

  /** order_get (also the order:// resource and the triage prompt). */
  async get(input: ContractInput<typeof orderGet>, ctx: Pick<RequestContext, 'principal' | 'signal'>): Promise<ContractOutput<typeof orderGet>> {
    const { db } = this.#deps;
    const reach = customerReachOf(ctx.principal);
    const orders = new OrderStore(db, ctx.signal);
    customerFilterFor(reach); // an unbound caller without customer:any is refused outright
    const order = input.order_id !== undefined ? await orders.get(input.order_id, { reach }) : await orders.getByNumber(input.order_number as number, reach);
    const [lines, history, saga] = await Promise.all([
      orders.lines([order.id]),
      new OutboxStore(db, ctx.signal).history(order.id, 50),
      new SagaStore(db, ctx.signal).find(order.id),
    ]);
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
  async search(input: ContractInput<typeof orderSearch>, ctx: Pick<RequestContext, 'principal' | 'signal'>): Promise<ContractOutput<typeof orderSearch>> {
    const filter = input.filter ?? {};
    const customerId = customerFilterFor(customerReachOf(ctx.principal), filter.customer_id);
    const orders = new OrderStore(this.#deps.db, ctx.signal);
    if (filter.placed_from !== undefined && filter.placed_to !== undefined && new Date(filter.placed_from) >= new Date(filter.placed_to)) {
      throw new AppError('VALIDATION_FAILED', 'filter.placed_from must be before filter.placed_to.', {
        details: { issues: [{ path: 'filter.placed_from', message: 'must be before placed_to' }] },
      });
    }
    const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, searchCursor);
    if (after !== undefined && after.sort !== input.sort) {
      throw new AppError('VALIDATION_FAILED', 'cursor is invalid or expired; request the first page again without a cursor.', { details: { field: 'cursor' } });
    }
    const rows = await orders.search({
      customerId,
      status: filter.status,
      placedFrom: filter.placed_from,
      placedTo: filter.placed_to,
      ascending: input.sort === 'placed_at_asc',
      after,
      limit: input.limit + 1,
    });
    const page = rows.slice(0, input.limit);
    const lines = await orders.lines(page.map((row) => row.id));
    const last = page.at(-1);
    return {
      items: page.map((row) =>
        toOrderView(
          row,
          lines.filter((line) => line.order_id === row.id),
        ),
      ),
      next_cursor:
        rows.length > input.limit && last !== undefined ? encodeCursor({ placed_at: last.placed_at.toISOString(), id: last.id, sort: input.sort }) : null,
    };
  }

  /**
   * order_events: the outbox as a feed in commit order (feed positions); the cursor always points after the last
   * position seen, and an event committed later always gets a later position, so following it misses nothing.
   */
  async events(input: ContractInput<typeof orderEvents>, ctx: Pick<RequestContext, 'principal' | 'signal'>): Promise<ContractOutput<typeof orderEvents>> {
    const customerId = customerFilterFor(customerReachOf(ctx.principal), input.filter?.customer_id);
    const outbox = new OutboxStore(this.#deps.db, ctx.signal);
    const after = input.cursor === undefined ? 0 : decodeCursor(input.cursor, feedCursor).after;
    const filter = input.filter ?? {};
    // Number what has committed so far (the relay does it too, every OUTBOX_INTERVAL_MS): a caller reads its own
    // changes at once. Cheap when there is nothing to number: a lock held for one indexed UPDATE.
    await outbox.assignPositions(FEED_POSITION_BATCH);
    const rows = await outbox.feed({ afterPosition: after, orderId: filter.order_id, customerId, types: filter.types, limit: input.limit });
    const last = rows.at(-1);
    return {
      items: rows.map((row) => ({ event: toOrderEvent(row), published: row.published_at !== null })),
      next_cursor: encodeCursor({ after: last?.position == null ? after : Number(last.position) }),
    };
  }

  /** order_summary. */
  async summary(input: ContractInput<typeof orderSummary>, ctx: Pick<RequestContext, 'principal' | 'signal'>): Promise<ContractOutput<typeof orderSummary>> {
    requireAnyCustomer(customerReachOf(ctx.principal), 'order_summary');
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
    const raw = await new OrderStore(this.#deps.db, ctx.signal).summary(from.toISOString(), to.toISOString());
    const rows = raw.map((row) => ({
      day: row.day,
      status: row.status,
      currency: row.currency,
      orders: Number(row.orders),
      total_amount: Number(row.total_amount),
      refunded_amount: Number(row.refunded_amount),
    }));
    const totals = new Map<string, ContractOutput<typeof orderSummary>['totals'][number]>();
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
  async markDelivered(
    db: Kysely<OrderDatabase>,
    input: ContractInput<typeof orderMarkDelivered>,
    ctx: Pick<RequestContext, 'principal' | 'signal'>,
  ): Promise<ContractOutput<typeof orderMarkDelivered>> {
    requireAnyCustomer(customerReachOf(ctx.principal), 'order_mark_delivered');
    const orders = new OrderStore(db, ctx.signal);
    const order = await orders.get(input.order_id, { forUpdate: true });
    // A repeated call (its first answer lost) finds the order delivered at a newer version: nothing to do, no conflict.
    if (order.status === 'delivered') return { order: toOrderView(order, await orders.lines([order.id])), changed: false };
    if (order.version !== input.expected_version) throw staleVersion(order.id, order.version, input.expected_version);
    if (order.busy_operation_id !== null) {
      throw new AppError(
        'CONFLICT',
        `Order ${order.id} is being changed by another call (order_refund, order_cancel or order_fulfill); wait a few seconds, read it again (order_get) and retry with its new version.`,
        {
          retryable: true,
          details: { order_id: order.id, current_version: order.version },
        },
      );
    }
    const at = input.delivered_at === undefined ? new Date() : new Date(input.delivered_at);
    if (at.getTime() > Date.now() + 60_000) {
      throw new AppError('VALIDATION_FAILED', 'delivered_at must not be in the future.', {
        details: { issues: [{ path: 'delivered_at', message: 'in the future' }] },
      });
    }
    const updated = await this.#deps.changes.transition(db, order, 'delivered', 'order_mark_delivered', { delivered_at: at }, ctx);
    return { order: toOrderView(updated, await orders.lines([order.id])), changed: true };
  }
}
