import { z } from 'zod';
import { defineTool } from '@mcpfed/contract-common';
import { MAX_LOOKUP_SKUS, productSummarySchema, skuSchema } from './schemas.ts';

/** Reads up to 100 products by SKU in one call. */
export const productLookup = defineTool({
  name: 'product_lookup',
  title: 'Look up products by SKU',
  description:
    'Reads up to 100 products by SKU at once (a cart, an order, a list). Returns { items, missing }: ' +
    'items in the order given with status, price (integer minor units), version and available units over ' +
    'all locations; missing lists unknown SKUs. Archived products are included (status archived, not ' +
    'sellable). Stock per location: product_get. On failure: VALIDATION_FAILED for over 100 SKUs or a ' +
    'malformed one.',
  guide:
    `Reads up to ${MAX_LOOKUP_SKUS} products by SKU in one call (for a cart, an order or a list you already have). ` +
    'Returns { items, missing }: items in the order the SKUs were given (duplicates once), each with status, ' +
    'price (integer minor units + ISO 4217 currency), version and available units over all locations; missing ' +
    'lists the SKUs no product has. Archived products are included with status "archived" (they cannot be sold). ' +
    'For one product with stock per location use product_get. ' +
    `On failure: VALIDATION_FAILED when more than ${MAX_LOOKUP_SKUS} SKUs or a malformed SKU are given (split the list).`,
  input: z.strictObject({
    skus: z.array(skuSchema).min(1).max(MAX_LOOKUP_SKUS).describe(`1-${MAX_LOOKUP_SKUS} SKUs.`),
  }),
  output: z.object({
    items: z.array(productSummarySchema),
    missing: z.array(z.string()).describe('Requested SKUs that do not exist.'),
  }),
  scopes: ['product:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
