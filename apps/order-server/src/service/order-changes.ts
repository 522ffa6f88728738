import type { Kysely, Updateable } from 'kysely';
import type { OrderStatus } from '@mcpfed/contract-order';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { OrderDatabase, OrdersTable } from '../store/order-database.ts';
import { OrderStore } from '../store/order-store.ts';
import type { OrderRecord } from '../store/order-store.ts';
import { OutboxStore } from '../store/outbox-store.ts';
import { assertTransition, eventTypeOf } from './order-state-machine.ts';
import type { TransitionCause } from './order-state-machine.ts';
import { snapshotOf } from './order-view.ts';

/**
 * The one way an order changes status: checks the state machine, writes the change and its outbox event in the
 * caller's transaction (docs/architecture.md §6: the event commits with the change or not at all).
 */
export class OrderChanges {
  /** Moves a locked order to `to` with `patch`, in `trx`; returns the new row. */
  async transition(
    trx: Kysely<OrderDatabase>,
    order: OrderRecord,
    to: OrderStatus,
    by: TransitionCause,
    patch: Updateable<OrdersTable>,
    ctx: Pick<RequestContext, 'signal'>,
  ): Promise<OrderRecord> {
    assertTransition(order.id, order.status, to, by);
    const updated = await new OrderStore(trx, ctx.signal).update(order.id, { ...patch, status: to });
    await new OutboxStore(trx, ctx.signal).append(eventTypeOf(to), snapshotOf(updated));
    return updated;
  }

  /** Writes the `order.placed` event of a new order, in its transaction `trx`. */
  async placed(trx: Kysely<OrderDatabase>, order: OrderRecord, ctx: Pick<RequestContext, 'signal'>): Promise<void> {
    await new OutboxStore(trx, ctx.signal).append('order.placed', snapshotOf(order));
  }
}
