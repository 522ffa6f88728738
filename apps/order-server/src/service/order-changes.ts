import type { Kysely, Updateable } from 'kysely';
import type { OrderStatus } from '@mcpfed/contract-order';
import type { OrderDatabase, OrdersTable } from '../store/order-database.ts';
import type { OrderRecord, OrderStore } from '../store/order-store.ts';
import type { OutboxStore } from '../store/outbox-store.ts';
import { assertTransition, eventTypeOf } from './order-state-machine.ts';
import type { TransitionCause } from './order-state-machine.ts';
import { snapshotOf } from './order-view.ts';

/**
 * The one way an order changes status: checks the state machine, writes the change and its outbox event in the
 * caller's transaction (docs/architecture.md §6: the event commits with the change or not at all).
 */
export class OrderChanges {
  readonly #orders: OrderStore;
  readonly #outbox: OutboxStore;

  constructor(orders: OrderStore, outbox: OutboxStore) {
    this.#orders = orders;
    this.#outbox = outbox;
  }

  /** Moves a locked order to `to` with `patch`; returns the new row. */
  async transition(
    trx: Kysely<OrderDatabase>,
    order: OrderRecord,
    to: OrderStatus,
    by: TransitionCause,
    patch: Updateable<OrdersTable> = {},
    signal?: AbortSignal,
  ): Promise<OrderRecord> {
    assertTransition(order.id, order.status, to, by);
    const updated = await this.#orders.update(trx, order.id, { ...patch, status: to }, signal);
    await this.#outbox.append(trx, eventTypeOf(to), snapshotOf(updated), signal);
    return updated;
  }

  /** Writes the `order.placed` event of a new order. */
  async placed(trx: Kysely<OrderDatabase>, order: OrderRecord): Promise<void> {
    await this.#outbox.append(trx, 'order.placed', snapshotOf(order));
  }
}
