import { z } from 'zod';
import { defineTool } from '@mcpfed/contract-common';
import { MAX_INVENTORY_LINES, locationSchema, skuStockSchema, stockSkuSchema } from './schemas.ts';

/** Reads stock levels of up to 100 skus. */
export const inventoryGet = defineTool({
  name: 'inventory_get',
  title: 'Get stock levels',
  description:
    'Returns the stock of up to 100 SKUs: on_hand, reserved and available (on_hand - reserved), in total ' +
    'and per location (location: that one only), e.g. before reserving. Returns { items, not_found }: ' +
    'items in the order asked (no stock: zeros); not_found lists SKUs not in the catalog. On failure: ' +
    'VALIDATION_FAILED for malformed SKUs.',
  guide:
    'Returns the stock of up to 100 SKUs: on_hand (units in stock), reserved (held by active reservations) and ' +
    'available (on_hand - reserved, what can still be reserved), as totals and per location. Give location to see ' +
    'one location only. Use it before reserving or to answer "do we have X in stock". Returns { items, not_found }: ' +
    'items in the order asked, a SKU without stock anywhere has zeros and no locations; not_found lists SKUs that ' +
    'are not in the catalog (check them with the catalog search). On failure: VALIDATION_FAILED for malformed SKUs.',
  input: z.strictObject({
    skus: z.array(stockSkuSchema).min(1).max(MAX_INVENTORY_LINES).describe('The SKUs to read, 1-100; duplicates are read once.'),
    location: locationSchema.optional().describe('Only this location; default all locations.'),
  }),
  output: z.object({
    items: z.array(skuStockSchema),
    not_found: z.array(z.string()).describe('Requested SKUs that are not in the catalog.'),
  }),
  scopes: ['product:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
