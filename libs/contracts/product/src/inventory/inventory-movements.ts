import { z } from 'zod';
import { cursorSchema, defineTool, limitSchema, nextCursorSchema } from '@mcpfed/contract-common';
import { MOVEMENT_KINDS, locationSchema, movementSchema, reservationIdSchema, stockSkuSchema } from './schemas.ts';

/** Lists the stock ledger, newest first. */
export const inventoryMovements = defineTool({
  name: 'inventory_movements',
  title: 'Stock ledger',
  description:
    'Lists the stock ledger, newest first: each change of on_hand or reserved with its kind (adjust, ' +
    'reserve, commit, release, expire), deltas, levels after, reservation or reference, reason and actor. ' +
    'Use it to explain a level or audit adjustments; filter by sku, location, kinds, reservation_id or ' +
    'reference. Returns { items, next_cursor }; pass next_cursor as cursor with the same filter for older ' +
    'rows. On failure: VALIDATION_FAILED for a bad cursor (start again without it).',
  guide:
    'Lists the stock ledger, newest first: every change of on_hand or reserved with its kind (adjust, reserve, ' +
    'commit, release, expire), the deltas, the levels right after, the reservation or reference, reason code and ' +
    'who did it. For each SKU and location the deltas add up to the current level. Use it to explain a stock level ' +
    '("why is X at 0?") or to audit adjustments. Filter by sku, location, kinds, reservation_id or reference. ' +
    'Returns { items, next_cursor }; pass next_cursor as cursor with the same filter for older rows, null means no ' +
    'more. On failure: VALIDATION_FAILED for a bad cursor (start again without it).',
  input: z.strictObject({
    filter: z
      .strictObject({
        sku: stockSkuSchema.optional(),
        location: locationSchema.optional(),
        kinds: z.array(z.enum(MOVEMENT_KINDS)).min(1).max(MOVEMENT_KINDS.length).optional(),
        reservation_id: reservationIdSchema.optional(),
        reference: z.string().min(1).max(100).optional().describe('An order reference or an adjustment reference.'),
      })
      .optional(),
    limit: limitSchema,
    cursor: cursorSchema.optional(),
  }),
  output: z.object({
    items: z.array(movementSchema),
    next_cursor: nextCursorSchema,
  }),
  scopes: ['product:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
