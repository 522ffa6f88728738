import type { z } from 'zod';
import { orderReferenceSchema, reservationIdSchema } from './schemas.ts';

/** The fields naming a reservation: exactly one of reservation_id and order_reference. */
export const reservationTargetShape = {
  reservation_id: reservationIdSchema.optional().describe('The id inventory_reserve returned. Give this or order_reference.'),
  order_reference: orderReferenceSchema.optional().describe('The order_reference the reservation was made for. Give this or reservation_id.'),
};

/** Refinement: exactly one of reservation_id and order_reference. */
export function exactlyOneTarget(input: { reservation_id?: string | undefined; order_reference?: string | undefined }, ctx: z.RefinementCtx): void {
  if ((input.reservation_id === undefined) === (input.order_reference === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['reservation_id'], message: 'give exactly one of reservation_id and order_reference' });
  }
}
