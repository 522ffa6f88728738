import { z } from 'zod';
import { defineTool, idempotencyKeySchema } from '@mcpfed/contract-common';
import {
  DEFAULT_RESERVATION_TTL_SECONDS,
  MAX_INVENTORY_LINES,
  MAX_LINE_QUANTITY,
  MAX_RESERVATION_TTL_SECONDS,
  locationSchema,
  orderReferenceSchema,
  reservationSchema,
  stockSkuSchema,
} from './schemas.ts';

/** One requested line of inventory_reserve. */
export const reserveLineSchema = z.strictObject({
  sku: stockSkuSchema,
  quantity: z.number().int().min(1).max(MAX_LINE_QUANTITY).describe(`Units, 1-${MAX_LINE_QUANTITY}.`),
  location: locationSchema.optional().describe('Reserve at this location only; default: any locations, fullest first.'),
});

/** Reserves stock for an order: all lines or none, priced by the catalog. */
export const inventoryReserve = defineTool({
  name: 'inventory_reserve',
  title: 'Reserve stock for an order',
  description:
    'Reserves stock for one order, all lines or none; a line without location takes from the fullest ' +
    'locations. Prices come from the catalog; products must be active, in one currency. Held for ' +
    'ttl_seconds unless inventory_commit (paid) or inventory_release (abandoned) ends it. The same ' +
    'order_reference and lines return the same reservation (replayed=true). Returns { reservation: { id, ' +
    'status, lines, total, expires_at, ... }, replayed }. On failure: PRECONDITION_FAILED with ' +
    'details.reason insufficient_stock (details.lines), product_not_active or mixed_currencies; NOT_FOUND ' +
    '(details.skus); IDEMPOTENCY_KEY_REUSED when the reference or key was used with other lines.',
  guide:
    'Reserves stock for one order: every line or none (atomic, safe under concurrent orders). A line without ' +
    'location takes units from the locations with the most available first and may be split over locations. ' +
    'Prices come from the catalog at this moment (never from the caller); every product must be active and all ' +
    'priced in one currency. The reservation holds the stock until ttl_seconds pass, then expires and the stock ' +
    'is available again, unless inventory_commit (order paid) or inventory_release (order abandoned) ends it first. ' +
    'One reservation per order_reference: calling again with the same order_reference and the same lines returns ' +
    'that reservation (replayed=true, whatever its status now) instead of reserving twice. ' +
    'Returns { reservation: { id, status, lines with unit_price and line_total, total, expires_at, ... }, replayed }. ' +
    'On failure: PRECONDITION_FAILED with details.reason "insufficient_stock" (details.lines: requested and ' +
    'available per line; reduce quantities or drop lines and retry), "product_not_active" (details.products) or ' +
    '"mixed_currencies"; NOT_FOUND when SKUs are not in the catalog (details.skus); IDEMPOTENCY_KEY_REUSED when ' +
    'the order_reference (or idempotency_key) was already used with other lines - use a new order reference.',
  input: z.strictObject({
    order_reference: orderReferenceSchema,
    lines: z
      .array(reserveLineSchema)
      .min(1)
      .max(MAX_INVENTORY_LINES)
      .describe(`1-${MAX_INVENTORY_LINES} lines; lines with the same sku and location are added up.`),
    ttl_seconds: z
      .number()
      .int()
      .min(1)
      .max(MAX_RESERVATION_TTL_SECONDS)
      .default(DEFAULT_RESERVATION_TTL_SECONDS)
      .describe('Seconds until an uncommitted reservation expires.'),
    idempotency_key: idempotencyKeySchema,
  }),
  output: z.object({
    reservation: reservationSchema,
    replayed: z
      .boolean()
      .describe('True when the reservation already existed for this order_reference (or this idempotency_key) and nothing new was reserved.'),
  }),
  scopes: ['product:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'required',
});
