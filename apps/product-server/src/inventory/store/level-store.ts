import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { InventoryTables, MovementKindValue } from './inventory-tables.ts';

/** A stock level as the service sees it. */
export interface LevelRow {
  sku: string;
  location: string;
  on_hand: number;
  reserved: number;
  available: number;
  version: number;
  updated_at: Date;
}

/** One change of one level, written with its ledger row. */
export interface StockChange {
  sku: string;
  location: string;
  deltaOnHand: number;
  deltaReserved: number;
}

/** What the ledger rows of one {@link LevelStore.apply} say besides the deltas. */
export interface MovementMeta {
  kind: MovementKindValue;
  actor: string;
  reservationId?: string | null;
  reference?: string | null;
  reason?: string | null;
  note?: string | null;
}

/** A level after a change, with the ledger row written for it. */
export interface AppliedChange {
  level: LevelRow;
  movementId: number;
  at: Date;
}

/** A page of low-stock levels. */
export interface LevelPage {
  rows: LevelRow[];
  nextCursor: string | null;
}

const LEVEL_COLUMNS = ['sku', 'location', 'on_hand', 'reserved', 'available', 'version', 'updated_at'] as const;

const lowStockCursor = z.strictObject({ a: z.number().int(), s: z.string().max(64), l: z.string().max(32) });

/**
 * Repository of `inventory_levels`, and the one place that changes them: {@link apply} updates levels and
 * appends their ledger rows in a single statement, so the ledger always adds up to the levels.
 */
export class LevelStore {
  readonly #db: Kysely<InventoryTables>;
  readonly #signal: AbortSignal;

  constructor(db: Kysely<InventoryTables>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /** The levels of these skus (optionally at one location), by sku then location. */
  async list(skus: readonly string[], location?: string): Promise<LevelRow[]> {
    if (skus.length === 0) return [];
    return this.#db
      .selectFrom('inventory_levels')
      .select(LEVEL_COLUMNS)
      .where('sku', 'in', [...skus])
      .$if(location !== undefined, (qb) => qb.where('location', '=', location as string))
      .orderBy('sku')
      .orderBy('location')
      .execute({ signal: this.#signal });
  }

  /**
   * Locks the levels of these skus for the rest of the transaction, always in (sku, location) order: every
   * writer takes level locks in that one order, so concurrent reservations, commits and adjustments cannot
   * deadlock.
   */
  async lockSkus(skus: readonly string[]): Promise<LevelRow[]> {
    if (skus.length === 0) return [];
    return this.#db
      .selectFrom('inventory_levels')
      .select(LEVEL_COLUMNS)
      .where('sku', 'in', [...skus])
      .orderBy('sku')
      .orderBy('location')
      .forUpdate()
      .execute({ signal: this.#signal });
  }

  /** Locks exactly these (sku, location) levels, in (sku, location) order. */
  async lockLevels(keys: ReadonlyArray<{ sku: string; location: string }>): Promise<LevelRow[]> {
    if (keys.length === 0) return [];
    return this.#db
      .selectFrom('inventory_levels')
      .select(LEVEL_COLUMNS)
      .where((eb) =>
        eb(
          eb.refTuple('sku', 'location'),
          'in',
          keys.map((k) => eb.tuple(k.sku, k.location)),
        ),
      )
      .orderBy('sku')
      .orderBy('location')
      .forUpdate()
      .execute({ signal: this.#signal });
  }

  /** Creates an empty level (0 on hand) unless it exists. */
  async ensure(sku: string, location: string): Promise<void> {
    await this.#db
      .insertInto('inventory_levels')
      .values({ sku, location })
      .onConflict((oc) => oc.columns(['sku', 'location']).doNothing())
      .execute({ signal: this.#signal });
  }

  /**
   * Applies the changes (one per level; the levels must exist and should be locked) and appends one ledger row
   * per change with the levels right after it. The CHECK constraints refuse any change that would take on_hand or
   * reserved below zero or reserved above on_hand; callers check first so that never fires in normal operation.
   */
  async apply(changes: readonly StockChange[], meta: MovementMeta): Promise<AppliedChange[]> {
    if (changes.length === 0) return [];
    const keys = new Set(changes.map((c) => `${c.sku}\u0000${c.location}`));
    if (keys.size !== changes.length) throw new AppError('INTERNAL', 'a stock change names the same level twice');
    const result = await sql<LevelRow & { movement_id: string; at: Date }>`
      WITH v AS (
        SELECT * FROM unnest(${changes.map((c) => c.sku)}::text[], ${changes.map((c) => c.location)}::text[],
                             ${changes.map((c) => c.deltaOnHand)}::int[], ${changes.map((c) => c.deltaReserved)}::int[],
                             ${changes.map((_c, i) => i)}::int[])
          AS v(sku, location, d_on_hand, d_reserved, ord)
      ), upd AS (
        UPDATE inventory_levels AS l
        SET on_hand = l.on_hand + v.d_on_hand, reserved = l.reserved + v.d_reserved, version = l.version + 1, updated_at = now()
        FROM v
        WHERE l.sku = v.sku AND l.location = v.location
        RETURNING l.sku, l.location, l.on_hand, l.reserved, l.available, l.version, l.updated_at, v.d_on_hand, v.d_reserved, v.ord
      ), mov AS (
        INSERT INTO inventory_movements
          (sku, location, kind, delta_on_hand, delta_reserved, on_hand_after, reserved_after, reservation_id, reference, reason, note, actor)
        SELECT sku, location, ${meta.kind}, d_on_hand, d_reserved, on_hand, reserved,
               ${meta.reservationId ?? null}, ${meta.reference ?? null}, ${meta.reason ?? null}, ${meta.note ?? null}, ${meta.actor}
        FROM upd ORDER BY ord
        RETURNING id, sku, location, at
      )
      SELECT upd.sku, upd.location, upd.on_hand, upd.reserved, upd.available, upd.version, upd.updated_at, mov.id AS movement_id, mov.at
      FROM upd JOIN mov ON mov.sku = upd.sku AND mov.location = upd.location
      ORDER BY upd.ord`.execute(this.#db, { signal: this.#signal });
    if (result.rows.length !== changes.length) {
      throw new AppError('INTERNAL', 'a stock change named a level that does not exist', {
        details: { requested: changes.length, applied: result.rows.length },
      });
    }
    return result.rows.map(({ movement_id, at, ...level }) => ({ level, movementId: Number(movement_id), at }));
  }

  /**
   * Levels of active products with available units at or below `threshold`, lowest first, then by sku and
   * location (keyset over the `(available, sku, location)` index).
   */
  async lowStock(options: { threshold: number; location?: string | undefined; limit: number; cursor?: string | undefined }): Promise<LevelPage> {
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor, lowStockCursor);
    const location = options.location ?? null;
    const afterClause = after === undefined ? sql`` : sql`AND (l.available, l.sku, l.location) > (${after.a}::int, ${after.s}::text, ${after.l}::text)`;
    const result = await sql<LevelRow>`
      SELECT l.sku, l.location, l.on_hand, l.reserved, l.available, l.version, l.updated_at
      FROM inventory_levels AS l
      JOIN products AS p ON p.sku = l.sku
      WHERE l.available <= ${options.threshold}::int
        AND (${location}::text IS NULL OR l.location = ${location}::text)
        AND p.status = 'active'
        ${afterClause}
      ORDER BY l.available, l.sku, l.location
      LIMIT ${options.limit + 1}`.execute(this.#db, { signal: this.#signal });
    const more = result.rows.length > options.limit;
    const rows = more ? result.rows.slice(0, options.limit) : result.rows;
    const last = rows.at(-1);
    return {
      rows,
      nextCursor: more && last !== undefined ? encodeCursor({ a: last.available, s: last.sku, l: last.location }) : null,
    };
  }
}
