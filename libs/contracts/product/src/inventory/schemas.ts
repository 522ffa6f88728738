import { z } from 'zod';
import { moneySchema } from '@mcpfed/contract-common';
import { skuRuleSchema } from '../sku.ts';

/** Reason codes of inventory_adjust (and of seeded stock: `initial_stock`). */
export const ADJUST_REASONS = ['received', 'returned', 'damaged', 'lost', 'found', 'cycle_count', 'correction', 'initial_stock'] as const;
/** An adjustment reason code. */
export type AdjustReason = (typeof ADJUST_REASONS)[number];

/** Reservation statuses: `active` holds stock until its TTL; `committed`, `released` and `expired` are final. */
export const RESERVATION_STATUSES = ['active', 'committed', 'released', 'expired'] as const;
/** A reservation status. */
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

/** Kinds of stock ledger movements. */
export const MOVEMENT_KINDS = ['adjust', 'reserve', 'commit', 'release', 'expire'] as const;
/** A movement kind. */
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

/**
 * `details.reason` of inventory's PRECONDITION_FAILED errors, stable for callers to switch on:
 * - `insufficient_stock`: not enough available stock (details.lines: requested vs available per line);
 * - `product_not_active`: a sku's product is not active (details.products: sku and status);
 * - `mixed_currencies`: the lines' products are priced in different currencies (details.currencies);
 * - `reservation_final`: the reservation already reached another final status (details.status);
 * - `reservation_expired`: the reservation's TTL passed before it was committed.
 */
export const INVENTORY_FAILURE_REASONS = ['insufficient_stock', 'product_not_active', 'mixed_currencies', 'reservation_final', 'reservation_expired'] as const;
/** One of {@link INVENTORY_FAILURE_REASONS}. */
export type InventoryFailureReason = (typeof INVENTORY_FAILURE_REASONS)[number];

/** Most lines one reservation (or one inventory_get) may name. */
export const MAX_INVENTORY_LINES = 100;
/** Largest quantity of one reservation line. */
export const MAX_LINE_QUANTITY = 10_000;
/** Largest absolute delta of one inventory_adjust. */
export const MAX_ADJUST_DELTA = 1_000_000;
/** Default reservation time to live, in seconds (15 minutes). */
export const DEFAULT_RESERVATION_TTL_SECONDS = 900;
/** Longest reservation time to live, in seconds (24 hours). */
export const MAX_RESERVATION_TTL_SECONDS = 86_400;

/** A stock keeping unit as inventory accepts it (the catalog's products.sku). */
export const stockSkuSchema = skuRuleSchema.describe('SKU, e.g. "AUD-0001234".');

/** A stock location (warehouse) code. */
export const locationSchema = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[A-Z0-9][A-Z0-9-]*$/, 'upper-case letters, digits and "-", e.g. "BER-1"')
  .describe('Stock location (warehouse) code, upper case, e.g. "BER-1".');

/** Reservation id: `rsv_` followed by 26 lowercase Crockford base32 characters. */
export const reservationIdSchema = z
  .string()
  .max(30)
  .regex(/^rsv_[0-9a-hjkmnp-tv-z]{26}$/, 'a reservation id looks like rsv_01j9z3k8q4m2n6p7r8s9t0v1w2')
  .describe('Reservation id (inventory_reserve returns it).');

/** The caller's reference of the order a reservation is for (the order id in checkout). One reservation per reference. */
export const orderReferenceSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9:_\-.]+$/, 'letters, digits and : _ - . only')
  .describe('Your reference of the order (one reservation each), e.g. its id "ord_01j9z3k8q4m2n6p7r8s9t0v1w2".');

/** A timestamp on the wire: ISO 8601 in UTC. */
export const inventoryTimestampSchema = z.iso.datetime().describe('ISO 8601 timestamp in UTC.');

const quantity = (what: string) => z.number().int().min(0).describe(what);

/** Stock of one sku at one location. */
export const locationStockSchema = z.object({
  location: locationSchema,
  on_hand: quantity('Units physically in stock at this location.'),
  reserved: quantity('Units held by active reservations.'),
  available: quantity('on_hand - reserved: what can still be reserved.'),
});

/** Stock of one sku: totals over all locations plus each location. Shared with product_get. */
export const skuStockSchema = z.object({
  sku: stockSkuSchema,
  on_hand: quantity('Total units in stock over all locations.'),
  reserved: quantity('Total units held by active reservations.'),
  available: quantity('Total units that can still be reserved.'),
  locations: z.array(locationStockSchema).describe('Per location, by location code; empty when the sku holds no stock anywhere.'),
});

/** One stock level row, as write results return it. */
export const stockLevelSchema = locationStockSchema.extend({
  sku: stockSkuSchema,
  version: z.number().int().min(1).describe('Bumped on every change of this level.'),
  updated_at: inventoryTimestampSchema,
});

/** One priced line of a reservation. */
export const reservationLineSchema = z.object({
  sku: stockSkuSchema,
  location: locationSchema.describe('Where the units are held.'),
  quantity: z.number().int().min(1),
  unit_price: moneySchema.describe('Price of one unit from the catalog at reservation time (integer minor units).'),
  line_total: moneySchema.describe('unit_price x quantity.'),
});

/** A reservation with its priced lines. */
export const reservationSchema = z.object({
  id: reservationIdSchema,
  order_reference: orderReferenceSchema,
  status: z.enum(RESERVATION_STATUSES),
  lines: z.array(reservationLineSchema).describe('Sorted by sku then location; a requested line may be split over locations.'),
  total: moneySchema.describe('Sum of the line totals: what the order costs (integer minor units).'),
  expires_at: inventoryTimestampSchema.describe('When an active reservation expires and its stock returns to available.'),
  created_at: inventoryTimestampSchema,
  finished_at: inventoryTimestampSchema.nullable().describe('When it was committed, released or expired; null while active.'),
});

/** One row of the stock ledger. */
export const movementSchema = z.object({
  id: z.number().int().min(1).describe('Ledger position; higher is later.'),
  sku: stockSkuSchema,
  location: locationSchema,
  kind: z.enum(MOVEMENT_KINDS),
  delta_on_hand: z.number().int().describe('Change of on_hand (negative when stock left).'),
  delta_reserved: z.number().int().describe('Change of reserved.'),
  on_hand_after: quantity('on_hand right after this movement.'),
  reserved_after: quantity('reserved right after this movement.'),
  reservation_id: reservationIdSchema.nullable(),
  reference: z.string().nullable().describe('Order reference of a reservation movement, or the reference given to inventory_adjust.'),
  reason: z.enum(ADJUST_REASONS).nullable().describe('Reason code of an adjustment; null for reservation movements.'),
  note: z.string().nullable(),
  actor: z.string().describe('Principal id that caused it, or "system:reservation-expiry".'),
  at: inventoryTimestampSchema,
});
