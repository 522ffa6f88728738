import { z } from 'zod';
import { defineTool, idempotencyKeySchema, replayedSchema } from '@mcpfed/contract-common';
import { exactlyOneTarget, reservationTargetShape } from './reservation-target.ts';
import { reservationSchema } from './schemas.ts';

/** Gives the stock of an active reservation back. */
export const inventoryRelease = defineTool({
  name: 'inventory_release',
  title: 'Release a reservation',
  description:
    'Releases an active reservation whose order will not go ahead: its units are available again. Name it ' +
    'by reservation_id or order_reference (exactly one). A released or expired one changes nothing ' +
    '(changed=false); a retry with the same idempotency_key replays. Returns { reservation, changed, ' +
    'replayed }. On failure: NOT_FOUND (nothing is held); PRECONDITION_FAILED reservation_final when it ' +
    'was committed (sold: put returns back with inventory_adjust reason returned).',
  guide:
    'Releases an active reservation when its order will not go ahead (cancelled, payment failed): its units are ' +
    'available again. Name it by reservation_id or by order_reference (exactly one). Releasing a reservation that ' +
    'is already released or expired changes nothing and returns it with changed=false (its stock is already ' +
    'free). Returns { reservation, changed, replayed }. On failure: NOT_FOUND for an unknown reservation (nothing ' +
    'is held for it); PRECONDITION_FAILED with details.reason "reservation_final" (details.status "committed") when ' +
    'it was committed - the goods are sold; put returned goods back with inventory_adjust reason "returned". ' +
    'idempotency_key is required (a retry with the same key replays the original result).',
  input: z.strictObject({ ...reservationTargetShape, idempotency_key: idempotencyKeySchema }).superRefine(exactlyOneTarget),
  output: z.object({
    reservation: reservationSchema,
    changed: z.boolean().describe('False when it was already released or expired.'),
    replayed: replayedSchema,
  }),
  scopes: ['product:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'required',
});
