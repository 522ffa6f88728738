import type { ColumnType, Generated, GeneratedAlways, Kysely } from 'kysely';

/** A timestamp column with a database default: read as a Date, written as a Date or an ISO string. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** A nullable timestamp column. */
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** A `bigint` column: pg reads int8 as a string; written as a number, bigint or string. */
type BigIntColumn = ColumnType<string, number | bigint | string, number | bigint | string>;

/**
 * `inventory_levels`: stock of one sku at one location. The database enforces
 * `on_hand >= 0`, `reserved >= 0` and `reserved <= on_hand`; `available` is generated as `on_hand - reserved`.
 */
export interface InventoryLevelsTable {
  sku: string;
  location: string;
  on_hand: ColumnType<number, number | undefined, number>;
  reserved: ColumnType<number, number | undefined, number>;
  available: GeneratedAlways<number>;
  /** Bumped on every change of the row. */
  version: Generated<number>;
  updated_at: DefaultTimestamp;
}

/** Reservation statuses: `active` holds stock; the three others are final. */
export type ReservationStatusValue = 'active' | 'committed' | 'released' | 'expired';

/** `reservations`: one per order reference. */
export interface ReservationsTable {
  id: string;
  order_reference: string;
  status: ColumnType<ReservationStatusValue, ReservationStatusValue | undefined, ReservationStatusValue>;
  /** SHA-256 of the requested lines (merged and sorted): a repeat with other lines is refused. */
  request_hash: string;
  currency: string;
  total_amount: BigIntColumn;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  created_at: DefaultTimestamp;
  /** When it left `active` (committed, released or expired); null while active. */
  finished_at: NullableTimestamp;
  /** Principal id that reserved it. */
  created_by: string;
}

/** `reservation_lines`: what a reservation holds, per sku and location, priced at reservation time. */
export interface ReservationLinesTable {
  reservation_id: string;
  sku: string;
  location: string;
  quantity: number;
  unit_price_amount: BigIntColumn;
  currency: string;
}

/** Kinds of ledger movements. */
export type MovementKindValue = 'adjust' | 'reserve' | 'commit' | 'release' | 'expire';

/**
 * `inventory_movements`: the stock ledger. For every (sku, location) the sum of `delta_on_hand` equals the
 * level's `on_hand` and the sum of `delta_reserved` equals its `reserved`.
 */
export interface InventoryMovementsTable {
  id: GeneratedAlways<string>;
  sku: string;
  location: string;
  kind: MovementKindValue;
  delta_on_hand: number;
  delta_reserved: number;
  on_hand_after: number;
  reserved_after: number;
  reservation_id: string | null;
  /** The order reference of a reservation movement, or the caller's reference of an adjustment. */
  reference: string | null;
  /** The reason code of an adjustment; null for reservation movements. */
  reason: string | null;
  note: string | null;
  /** Principal id that caused it, or `system:reservation-expiry`. */
  actor: string;
  at: DefaultTimestamp;
}

/**
 * The inventory tables, for the product server's Kysely database type
 * (`interface ProductDatabase extends CatalogTables, InventoryTables {}`).
 */
export interface InventoryTables {
  inventory_levels: InventoryLevelsTable;
  reservations: ReservationsTable;
  reservation_lines: ReservationLinesTable;
  inventory_movements: InventoryMovementsTable;
}

/**
 * Views a product database as the inventory tables alone. Sound because `DB extends InventoryTables`: every
 * table the inventory code names exists in `DB` with these row types; Kysely's generic is only invariant on paper.
 */
export function inventoryDb<DB extends InventoryTables>(db: Kysely<DB>): Kysely<InventoryTables> {
  return db as unknown as Kysely<InventoryTables>;
}
