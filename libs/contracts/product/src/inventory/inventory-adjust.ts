import { z } from 'zod';
import { defineTool, dryRunSchema, idempotencyKeySchema, replayedSchema } from '@mcpfed/contract-common';
import { ADJUST_REASONS, MAX_ADJUST_DELTA, locationSchema, movementSchema, stockLevelSchema, stockSkuSchema } from './schemas.ts';

/** Changes on-hand stock by a signed delta with a reason code. */
export const inventoryAdjust = defineTool({
  name: 'inventory_adjust',
  title: 'Adjust stock',
  description:
    'Changes units on hand of one SKU at one location by a signed delta with a reason, written with its ' +
    'ledger row (inventory_movements); a positive delta at a new location creates it. Stock never goes ' +
    'below what is reserved. dry_run shows the result first. A retry with the same idempotency_key ' +
    'replays. Returns { level, movement, dry_run, replayed }. On failure: NOT_FOUND (SKU not in the ' +
    'catalog); PRECONDITION_FAILED insufficient_stock (details.available: adjust by at most -available, ' +
    'or release reservations); IDEMPOTENCY_KEY_REUSED.',
  guide:
    'Changes the units on hand of one SKU at one location by a signed delta, with a reason code: received (goods ' +
    'arrived), returned (customer return back in stock), damaged, lost, found, cycle_count (physical count ' +
    'difference), correction, initial_stock. The change and its ledger row (see inventory_movements) are written ' +
    "together. A positive delta at a new location creates that location's stock. Stock never goes below what is " +
    'reserved: a negative delta larger than the available units is refused and nothing changes. Use dry_run to see ' +
    'the result first. idempotency_key is required: a retry with the same key returns the original result with ' +
    'replayed=true. Returns { level, movement, dry_run, replayed }. On failure: NOT_FOUND when the SKU is not in ' +
    'the catalog; PRECONDITION_FAILED with details.reason "insufficient_stock" (details.available) when the delta ' +
    'would take available below zero - adjust by at most -available, or release reservations first; ' +
    'IDEMPOTENCY_KEY_REUSED when the key was used with other arguments (use a new key).',
  input: z.strictObject({
    sku: stockSkuSchema,
    location: locationSchema,
    delta: z
      .number()
      .int()
      .min(-MAX_ADJUST_DELTA)
      .max(MAX_ADJUST_DELTA)
      .refine((value) => value !== 0, 'must not be 0')
      .describe('Signed change of units on hand, e.g. 25 (received) or -2 (damaged); never 0.'),
    reason: z.enum(ADJUST_REASONS).describe(`Why: ${ADJUST_REASONS.join(', ')}.`),
    reference: z.string().trim().min(1).max(100).optional().describe('Your document reference, e.g. a purchase order "PO-1234".'),
    note: z.string().trim().min(1).max(500).optional().describe('Free text for the ledger.'),
    idempotency_key: idempotencyKeySchema,
    dry_run: dryRunSchema,
  }),
  output: z.object({
    level: stockLevelSchema.describe('The stock level after the change (what it would be, for a dry run).'),
    movement: movementSchema.describe('The ledger row written.'),
    dry_run: z.boolean().describe('True when nothing was written.'),
    replayed: replayedSchema,
  }),
  scopes: ['product:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  idempotency: 'required',
  redact: ['note'],
});
