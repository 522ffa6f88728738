import { sqlRelationNames } from '@mcpfed/contract-common';
import type { SqlView } from '@mcpfed/contract-common';

/**
 * The allow-list of order_query_sql, as data: the tool's description and `schema://order` are generated from it,
 * and the server's migrations create exactly these views. None holds an idempotency key, a principal or a
 * payment method token.
 */
export const ORDER_SQL_VIEWS: readonly SqlView[] = Object.freeze([
  {
    name: 'analytics_orders',
    description: 'One row per order.',
    columns: [
      { name: 'id', type: 'text', description: 'Order id (ord_...).' },
      { name: 'order_number', type: 'bigint', description: 'Order number shown to customers.' },
      { name: 'customer_id', type: 'text', description: 'Customer id (cus_...).' },
      { name: 'status', type: 'text', description: 'pending | confirmed | failed | fulfilled | delivered | cancelled | partially_refunded | refunded.' },
      { name: 'capture_mode', type: 'text', description: 'immediate | on_fulfillment.' },
      { name: 'currency', type: 'text', description: 'ISO 4217 currency of every amount of the row.' },
      { name: 'total_amount', type: 'bigint', description: 'Order total, integer minor units.' },
      { name: 'amount_captured', type: 'bigint', description: 'Captured, integer minor units.' },
      { name: 'refunded_amount', type: 'bigint', description: 'Refunded, integer minor units.' },
      { name: 'failure_reason', type: 'text', description: 'Why it failed (customer_not_eligible, insufficient_stock, payment_declined, ...), else null.' },
      { name: 'line_count', type: 'integer', description: 'Number of lines.' },
      { name: 'placed_at', type: 'timestamp with time zone', description: 'When it was placed.' },
      { name: 'confirmed_at', type: 'timestamp with time zone', description: 'When it was confirmed; null if never.' },
      { name: 'updated_at', type: 'timestamp with time zone', description: 'Last change.' },
    ],
  },
  {
    name: 'analytics_order_lines',
    description: 'One row per order line.',
    columns: [
      { name: 'order_id', type: 'text', description: 'Order id (joins analytics_orders.id).' },
      { name: 'sku', type: 'text', description: 'Product SKU.' },
      { name: 'quantity', type: 'integer', description: 'Units ordered.' },
      { name: 'refunded_quantity', type: 'integer', description: 'Units refunded.' },
      { name: 'unit_price', type: 'bigint', description: 'Price of one unit, integer minor units.' },
      { name: 'line_total', type: 'bigint', description: 'unit_price x quantity, integer minor units.' },
      { name: 'currency', type: 'text', description: 'ISO 4217 currency.' },
    ],
  },
  {
    name: 'analytics_order_events',
    description: 'One row per order event (the outbox).',
    columns: [
      { name: 'sequence', type: 'bigint', description: 'Position in the outbox.' },
      { name: 'order_id', type: 'text', description: 'Order id.' },
      {
        name: 'type',
        type: 'text',
        description: 'order.placed | order.confirmed | order.failed | order.cancelled | order.fulfilled | order.delivered | order.refunded.',
      },
      { name: 'status', type: 'text', description: 'Order status after the event.' },
      { name: 'occurred_at', type: 'timestamp with time zone', description: 'When it happened.' },
      { name: 'published_at', type: 'timestamp with time zone', description: 'When the relay delivered it; null while not yet.' },
    ],
  },
  {
    name: 'analytics_checkout_workflows',
    description: 'One row per checkout saga.',
    columns: [
      { name: 'order_id', type: 'text', description: 'Order id.' },
      { name: 'status', type: 'text', description: 'running | compensating | completed | failed.' },
      { name: 'step', type: 'text', description: 'Next step to run.' },
      { name: 'attempts', type: 'integer', description: 'Job runs.' },
      { name: 'last_error_code', type: 'text', description: 'Error code of the latest step failure, else null.' },
      { name: 'started_at', type: 'timestamp with time zone', description: 'When the saga started.' },
      { name: 'finished_at', type: 'timestamp with time zone', description: 'When it completed or failed; null while running.' },
    ],
  },
] satisfies SqlView[]);

/** The allow-listed relation names of order_query_sql. */
export const ORDER_SQL_RELATIONS: readonly string[] = sqlRelationNames(ORDER_SQL_VIEWS);
