import { z } from 'zod';
import { defineTool, moneySchema } from '@mcpfed/contract-common';
import { orderAddressIdSchema, orderCustomerIdSchema, orderLinesInputSchema } from './schemas.ts';
import { stockSkuSchema } from '@mcpfed/contract-product';

/** Kinds of blocking problem order_quote reports. */
export const QUOTE_PROBLEM_CODES = ['customer_not_eligible', 'sku_not_found', 'product_not_active', 'insufficient_stock', 'mixed_currencies'] as const;

/** Prices an order without placing it. */
export const orderQuote = defineTool({
  name: 'order_quote',
  title: 'Quote an order',
  description:
    'Prices a prospective order without placing or holding anything: lines at current catalog prices ' +
    '(integer minor units) with available stock, the total, eligibility and every blocking problem; use ' +
    'it before order_place. Returns { eligible, lines, total, problems, can_place, ... }: problems have a ' +
    'code (customer_not_eligible, sku_not_found, product_not_active, insufficient_stock, ' +
    'mixed_currencies), the sku if any, and a message. Prices and stock may change before placing. On ' +
    'failure: NOT_FOUND (unknown customer); UPSTREAM_UNAVAILABLE or TIMEOUT (retry shortly).',
  guide:
    'Prices a prospective order without placing it or holding anything: each line with the current catalog price ' +
    '(integer minor units, from the product server, never from you) and available stock, the total, whether the ' +
    'customer may buy (customer_check_eligibility), and every blocking problem. Use it before order_place to show ' +
    'the customer what they will pay. Returns { customer_id, eligible, lines, total, problems, can_place }: problems ' +
    'lists each blocker with a code (customer_not_eligible, sku_not_found, product_not_active, insufficient_stock, ' +
    'mixed_currencies), the sku when it concerns one line, and a message; can_place is true when problems is empty. ' +
    'Prices and stock may change before you place the order. On failure: NOT_FOUND for an unknown customer; ' +
    'UPSTREAM_UNAVAILABLE or TIMEOUT when another server did not answer (retry shortly).',
  input: z.strictObject({
    customer_id: orderCustomerIdSchema,
    lines: orderLinesInputSchema,
    shipping_address_id: orderAddressIdSchema.optional().describe("Default: the customer's default shipping address."),
  }),
  output: z.object({
    customer_id: orderCustomerIdSchema,
    eligible: z.boolean(),
    lines: z.array(
      z.object({
        sku: stockSkuSchema,
        quantity: z.number().int().min(1),
        name: z.string().nullable().describe('Product name; null for an unknown sku.'),
        unit_price: moneySchema.nullable().describe('Current price of one unit; null for an unknown sku.'),
        line_total: moneySchema.nullable(),
        available: z.number().int().min(0).describe('Units available now over all locations.'),
      }),
    ),
    total: moneySchema.nullable().describe('Sum of the line totals; null when the lines have no single currency.'),
    problems: z.array(z.object({ code: z.enum(QUOTE_PROBLEM_CODES), sku: z.string().nullable(), message: z.string() })),
    can_place: z.boolean(),
  }),
  scopes: ['order:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  idempotency: 'none',
  deadlineMs: 10_000,
});
