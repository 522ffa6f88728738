import { z } from 'zod';
import { defineTool, expectedVersionSchema } from '@mcpfed/contract-common';
import { priceInputSchema, priceSchema, productSchema, reasonSchema, skuSchema } from './schemas.ts';

/** Sets a product's price and records it in the price history. */
export const productSetPrice = defineTool({
  name: 'product_set_price',
  title: 'Set product price',
  description:
    'Sets a product\'s price ({"amount": 4999, "currency": "EUR"} = 49.99 EUR) and appends it to the ' +
    'price history with who and why; new reservations and orders use it, existing ones keep theirs. The ' +
    'current price again changes nothing (changed=false). expected_version (from product_get) is ' +
    'optional: give it to fail instead of overwriting a concurrent change. Returns { product, ' +
    'previous_price, changed }. On failure: NOT_FOUND; CONFLICT when expected_version is stale; ' +
    'PRECONDITION_FAILED when archived (restore it with product_update).',
  guide:
    'Sets the price of a product (integer minor units + ISO 4217 currency, e.g. {"amount": 4999, "currency": ' +
    '"EUR"} for 49.99 EUR) and appends it to the price history with who changed it and why; the history is ' +
    'never rewritten. New reservations and orders use the new price; existing ones keep theirs. Setting the ' +
    'current price again changes nothing (changed=false, no history entry). expected_version is optional: give ' +
    'it to fail instead of overwriting a concurrent change. Returns { product, previous_price, changed } with the ' +
    'product as product_get shows it (price_history newest first). ' +
    'On failure: NOT_FOUND for an unknown SKU; CONFLICT when expected_version is stale (details.current_version); ' +
    'PRECONDITION_FAILED when the product is archived (restore it first with product_update).',
  input: z.strictObject({
    sku: skuSchema,
    price: priceInputSchema,
    reason: reasonSchema.optional().describe('Why the price changes (kept in the history), 1-500 characters.'),
    expected_version: expectedVersionSchema.optional(),
  }),
  output: z.object({ product: productSchema, previous_price: priceSchema, changed: z.boolean() }),
  scopes: ['product:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
