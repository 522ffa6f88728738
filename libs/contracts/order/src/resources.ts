import { defineResource } from '@mcpfed/contract-common';

/** One order as JSON (the order_get shape). */
export const orderResource = defineResource({
  uri: 'order://{id}',
  name: 'order',
  title: 'Order',
  description:
    'One order as JSON (the order_get shape): status, lines with prices in integer minor units, payment, ' +
    'reservation, tracking, history and checkout workflow. Read it to poll an order that order_place left pending.',
  mimeType: 'application/json',
  scopes: ['order:read'],
  completes: ['id'],
});

/** The order state machine as JSON. */
export const orderStateMachineResource = defineResource({
  uri: 'orders://state-machine',
  name: 'order-state-machine',
  title: 'Order state machine',
  description:
    'The order statuses, the allowed transitions with the tool or checkout step that makes each, the checkout ' +
    'steps with their idempotency keys and compensations, and the failure reason codes, as JSON.',
  mimeType: 'application/json',
  scopes: ['order:read'],
});

/** The analytics views order_query_sql may read. */
export const orderSchemaResource = defineResource({
  uri: 'schema://order',
  name: 'order-sql-schema',
  title: 'Order analytics SQL schema',
  description: 'The views order_query_sql may read, with column names, PostgreSQL types and meanings, as JSON.',
  mimeType: 'application/json',
  scopes: ['sql:read'],
});
