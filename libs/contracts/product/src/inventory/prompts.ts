import { z } from 'zod';
import { definePrompt } from '@mcpfed/contract-common';
import { locationSchema } from './schemas.ts';

/** Asks the model to triage low stock: what to reorder, move or investigate first. */
export const inventoryLowStockTriage = definePrompt({
  name: 'inventory_low_stock_triage',
  title: 'Low stock triage',
  description:
    "Preloads the lowest stock levels (available units at or below threshold, default 5) with each SKU's units " +
    'sold in the last 30 days and its stock at other locations, and asks for a triage: what runs out first, what ' +
    'to reorder and how much, what to move between locations, and what looks like a data problem.',
  args: z.strictObject({
    threshold: z
      .string()
      .regex(/^[0-9]{1,7}$/, 'a whole number, e.g. "5"')
      .optional()
      .describe('Available units at or below this are low. Default 5.'),
    location: locationSchema.optional().describe('Only this location; default all.'),
  }),
  scopes: ['product:read'],
});
