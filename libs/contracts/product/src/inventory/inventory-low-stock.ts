import { z } from 'zod';
import { cursorSchema, defineTool, limitSchema, nextCursorSchema } from '@mcpfed/contract-common';
import { locationSchema, locationStockSchema, stockSkuSchema } from './schemas.ts';

/** Default threshold of inventory_low_stock: available units at or below it are low. */
export const DEFAULT_LOW_STOCK_THRESHOLD = 5;

/** Lists stock levels at or below a threshold of available units. */
export const inventoryLowStock = defineTool({
  name: 'inventory_low_stock',
  title: 'List low stock',
  description:
    'Lists stock levels (a SKU at a location) of active products with available units at or below ' +
    'threshold (default 5), lowest first, to reorder or move stock. Returns { items, next_cursor }; pass ' +
    'next_cursor as cursor with the same threshold and location. On failure: VALIDATION_FAILED for a bad ' +
    'cursor (start again without it).',
  guide:
    'Lists the stock levels (one SKU at one location) of active products whose available units (on_hand - ' +
    `reserved) are at or below threshold (default ${DEFAULT_LOW_STOCK_THRESHOLD}), lowest first, then by SKU and ` +
    'location. Use it to find what to reorder or move between locations; SKUs that never held stock at a location ' +
    'are not listed. Returns { items, next_cursor }; pass next_cursor as cursor with the same threshold and location ' +
    'for the next page, null means no more. On failure: VALIDATION_FAILED for a bad cursor (start again without it).',
  input: z.strictObject({
    threshold: z
      .number()
      .int()
      .min(0)
      .max(1_000_000)
      .default(DEFAULT_LOW_STOCK_THRESHOLD)
      .describe(`Available units at or below this are low. Default ${DEFAULT_LOW_STOCK_THRESHOLD}.`),
    location: locationSchema.optional().describe('Only this location; default all.'),
    limit: limitSchema,
    cursor: cursorSchema.optional(),
  }),
  output: z.object({
    items: z.array(locationStockSchema.extend({ sku: stockSkuSchema })),
    next_cursor: nextCursorSchema,
  }),
  scopes: ['product:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
