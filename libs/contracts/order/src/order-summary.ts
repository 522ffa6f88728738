import { z } from 'zod';
import { defineTool } from '@mcpfed/contract-common';
import { ORDER_STATUSES, orderTimestampSchema } from './schemas.ts';

/** Longest window of order_summary, in days. */
export const MAX_SUMMARY_DAYS = 366;

/** Counts and revenue of orders by status and day. */
export const orderSummary = defineTool({
  name: 'order_summary',
  title: 'Order summary',
  description:
    'Counts orders and sums their amounts by day (UTC, placed_at), status and currency over at most 366 ' +
    'days (default the last 7), e.g. "how many orders failed yesterday". Returns { from, to, rows, totals ' +
    '} (per day, and over the window, by status and currency); integer minor units, never added across ' +
    'currencies; revenue = total_amount - refunded_amount of confirmed, fulfilled, delivered and refunded ' +
    'orders. On failure: VALIDATION_FAILED (from not before to, or over 366 days).',
  guide:
    `Counts orders and adds up their amounts by day (UTC, by placed_at), status and currency over a window of at most ` +
    `${MAX_SUMMARY_DAYS} days (default: the last 7 days). Use it for "how many orders failed yesterday" or "revenue ` +
    'this week". Returns { from, to, rows: [{ day, status, currency, orders, total_amount, refunded_amount }], totals: ' +
    '[{ status, currency, orders, total_amount, refunded_amount }] }; amounts are integer minor units, never added ' +
    'across currencies; revenue is total_amount - refunded_amount of confirmed, fulfilled, delivered and refunded ' +
    `orders. On failure: VALIDATION_FAILED when from is not before to or the window exceeds ${MAX_SUMMARY_DAYS} days.`,
  input: z.strictObject({
    from: orderTimestampSchema.optional().describe('Start (inclusive); default 7 days before to.'),
    to: orderTimestampSchema.optional().describe('End (exclusive); default now.'),
  }),
  output: z.object({
    from: orderTimestampSchema,
    to: orderTimestampSchema,
    rows: z.array(
      z.object({
        day: z.string().describe('YYYY-MM-DD (UTC).'),
        status: z.enum(ORDER_STATUSES),
        currency: z.string(),
        orders: z.number().int().min(0),
        total_amount: z.number().int().min(0),
        refunded_amount: z.number().int().min(0),
      }),
    ),
    totals: z.array(
      z.object({
        status: z.enum(ORDER_STATUSES),
        currency: z.string(),
        orders: z.number().int().min(0),
        total_amount: z.number().int().min(0),
        refunded_amount: z.number().int().min(0),
      }),
    ),
  }),
  scopes: ['order:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
