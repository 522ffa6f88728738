import type { OrderEvent } from '@mcpfed/contract-order';
import type { OutboxRecord } from '../store/outbox-store.ts';

/** The event as the contract publishes it (order_events and the subscribers' queues). */
export function toOrderEvent(row: OutboxRecord): OrderEvent {
  return {
    id: row.id,
    sequence: Number(row.sequence),
    type: row.type as OrderEvent['type'],
    occurred_at: row.occurred_at.toISOString(),
    order: row.snapshot as OrderEvent['order'],
  };
}
