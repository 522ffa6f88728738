import { z } from 'zod';
import { defineTool } from '@mcpfed/contract-common';
import { orderHistoryEntrySchema, orderIdSchema, orderNumberSchema, orderSchema, workflowSchema } from './schemas.ts';

/** Reads one order with its lines, payment and history. */
export const orderGet = defineTool({
  name: 'order_get',
  title: 'Get an order',
  description:
    'Reads one order by order_id or order_number (exactly one): status, lines, payment (amounts, ' +
    'payment_id), reservation, tracking, failure reason, the latest 50 events and its checkout workflow. ' +
    'Poll it while an order is pending; read it before cancelling, refunding or fulfilling (its version ' +
    'is their expected_version). Returns { order, history, workflow }. On failure: NOT_FOUND (find orders ' +
    'with order_search); VALIDATION_FAILED when neither or both are given.',
  guide:
    'Reads one order by order_id or by order_number (exactly one): status, lines with prices (integer minor units), ' +
    'payment (authorized, captured, refunded amounts and the payment id for payment_get), stock reservation, ' +
    'tracking, failure reason, its history (latest 50 events, newest first) and its checkout workflow. Use it to ' +
    'poll an order that order_place returned as pending, and before cancelling, refunding or fulfilling (its ' +
    'version is the expected_version those take). Returns { order, history, workflow }. ' +
    'On failure: NOT_FOUND for an unknown id or number (find orders with order_search); VALIDATION_FAILED when ' +
    'neither or both are given.',
  input: z
    .strictObject({
      order_id: orderIdSchema.optional(),
      order_number: orderNumberSchema.optional(),
    })
    .refine((input) => (input.order_id === undefined) !== (input.order_number === undefined), {
      message: 'give exactly one of order_id and order_number',
      path: ['order_id'],
    }),
  output: z.object({
    order: orderSchema,
    history: z.array(orderHistoryEntrySchema),
    workflow: workflowSchema.nullable(),
  }),
  scopes: ['order:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
