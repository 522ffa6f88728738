import type { z } from 'zod';
import type { movementSchema, reservationSchema, skuStockSchema, stockLevelSchema } from '@mcpfed/contract-product';
import type { LevelRow } from '../store/level-store.ts';
import type { MovementRow } from '../store/movement-store.ts';
import type { ReservationWithLines } from '../store/reservation-store.ts';

/** The wire shape of one sku's stock (inventory_get, product_get). */
export type SkuStockOutput = z.input<typeof skuStockSchema>;
/** The wire shape of one level after a write. */
export type StockLevelOutput = z.input<typeof stockLevelSchema>;
/** The wire shape of a reservation. */
export type ReservationOutput = z.input<typeof reservationSchema>;
/** The wire shape of a ledger row. */
export type MovementOutput = z.input<typeof movementSchema>;

/** Totals and per-location stock of each sku, one entry per requested sku (zeros when it holds no stock). */
export function skuStockViews(skus: readonly string[], levels: readonly LevelRow[]): Map<string, SkuStockOutput> {
  const out = new Map<string, SkuStockOutput>();
  for (const sku of skus) out.set(sku, { sku, on_hand: 0, reserved: 0, available: 0, locations: [] });
  for (const level of levels) {
    const stock = out.get(level.sku);
    if (stock === undefined) continue;
    stock.on_hand += level.on_hand;
    stock.reserved += level.reserved;
    stock.available += level.available;
    stock.locations.push({ location: level.location, on_hand: level.on_hand, reserved: level.reserved, available: level.available });
  }
  return out;
}

/** A level as write results return it. */
export function levelView(row: LevelRow): StockLevelOutput {
  return {
    sku: row.sku,
    location: row.location,
    on_hand: row.on_hand,
    reserved: row.reserved,
    available: row.available,
    version: row.version,
    updated_at: row.updated_at.toISOString(),
  };
}

/** A reservation with priced lines and its total. */
export function reservationView(row: ReservationWithLines): ReservationOutput {
  return {
    id: row.id,
    order_reference: row.order_reference,
    status: row.status,
    lines: row.lines.map((line) => {
      const unit = Number(line.unit_price_amount);
      return {
        sku: line.sku,
        location: line.location,
        quantity: line.quantity,
        unit_price: { amount: unit, currency: line.currency },
        line_total: { amount: unit * line.quantity, currency: line.currency },
      };
    }),
    total: { amount: Number(row.total_amount), currency: row.currency },
    expires_at: row.expires_at.toISOString(),
    created_at: row.created_at.toISOString(),
    finished_at: row.finished_at === null ? null : row.finished_at.toISOString(),
  };
}

/** A ledger row. */
export function movementView(row: MovementRow): MovementOutput {
  return {
    id: Number(row.id),
    sku: row.sku,
    location: row.location,
    kind: row.kind,
    delta_on_hand: row.delta_on_hand,
    delta_reserved: row.delta_reserved,
    on_hand_after: row.on_hand_after,
    reserved_after: row.reserved_after,
    reservation_id: row.reservation_id,
    reference: row.reference,
    reason: row.reason as MovementOutput['reason'],
    note: row.note,
    actor: row.actor,
    at: row.at.toISOString(),
  };
}
