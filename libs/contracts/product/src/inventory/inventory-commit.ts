import { z } from 'zod';
import { defineTool, idempotencyKeySchema, replayedSchema } from '@mcpfed/contract-common';
import { exactlyOneTarget, reservationTargetShape } from './reservation-target.ts';
import { reservationSchema } from './schemas.ts';

/** Turns an active reservation into a sale: the units leave stock. */
export const inventoryCommit = defineTool({
  name: 'inventory_commit',
  title: 'Commit a reservation',
  description:
    'Commits an active reservation once its order is paid: its units leave stock. Name it by ' +
    'reservation_id or order_reference (exactly one). A committed one again changes nothing ' +
    '(changed=false); a retry with the same idempotency_key replays. Returns { reservation, changed, ' +
    'replayed }. On failure: NOT_FOUND; PRECONDITION_FAILED with details.reason reservation_final ' +
    '(released or expired) or reservation_expired (stock no longer held: reserve again with a new ' +
    'order_reference, or cancel the order).',
  guide:
    'Commits an active reservation once its order is paid: its units leave stock (on_hand and reserved both go ' +
    "down by each line's quantity). Name the reservation by reservation_id or by order_reference (exactly one). " +
    'Committing an already committed reservation changes nothing and returns it with changed=false. ' +
    'Returns { reservation, changed, replayed }. On failure: NOT_FOUND for an unknown reservation; ' +
    'PRECONDITION_FAILED with details.reason "reservation_final" (details.status "released" or "expired") when ' +
    'it ended otherwise, or "reservation_expired" when its TTL has passed - the stock is no longer held: reserve ' +
    'again with a new order_reference or cancel the order. idempotency_key is required (a retry with the same key ' +
    'replays the original result).',
  input: z.strictObject({ ...reservationTargetShape, idempotency_key: idempotencyKeySchema }).superRefine(exactlyOneTarget),
  output: z.object({
    reservation: reservationSchema,
    changed: z.boolean().describe('False when it was already committed.'),
    replayed: replayedSchema,
  }),
  scopes: ['product:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'required',
});
