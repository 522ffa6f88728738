import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import type { InventoryTables, ReservationLinesTable, ReservationStatusValue, ReservationsTable } from './inventory-tables.ts';

/** A `reservations` row. */
export type ReservationRow = Selectable<ReservationsTable>;
/** A `reservation_lines` row. */
export type ReservationLineRow = Selectable<ReservationLinesTable>;

/** A reservation with its lines (sorted by sku, location). */
export interface ReservationWithLines extends ReservationRow {
  lines: ReservationLineRow[];
}

/** A locked reservation and whether its TTL has passed (by the database clock). */
export interface LockedReservation extends ReservationRow {
  /** `expires_at <= now()` (transaction start): commit refuses it. */
  past_ttl: boolean;
  /** `expires_at <= clock_timestamp() + skew`: the expiry job may expire it. */
  due: boolean;
}

/** Values of a new reservation; `expires_at` is computed by the database from `ttlSeconds`. */
export interface NewReservation {
  id: string;
  order_reference: string;
  request_hash: string;
  currency: string;
  total_amount: number;
  ttlSeconds: number;
  created_by: string;
}

/** Names one reservation. */
export type ReservationKey = { id: string } | { orderReference: string };

/** Tolerance for clock differences between the job scheduler and the database, in milliseconds. */
const EXPIRY_SKEW_MS = 1000;

/** Repository of `reservations` and `reservation_lines`. */
export class ReservationStore {
  readonly #db: Kysely<InventoryTables>;
  readonly #signal: AbortSignal;

  constructor(db: Kysely<InventoryTables>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /**
   * Inserts the reservation unless its order reference is taken; returns whether it did. A concurrent insert of
   * the same reference waits on the unique index until the other transaction ends, so exactly one wins.
   */
  async claim(values: NewReservation): Promise<boolean> {
    const result = await sql<{ id: string }>`
      INSERT INTO reservations (id, order_reference, request_hash, currency, total_amount, expires_at, created_by)
      VALUES (${values.id}, ${values.order_reference}, ${values.request_hash}, ${values.currency}, ${values.total_amount},
              now() + make_interval(secs => ${values.ttlSeconds}), ${values.created_by})
      ON CONFLICT (order_reference) DO NOTHING
      RETURNING id`.execute(this.#db, { signal: this.#signal });
    return result.rows.length === 1;
  }

  /** Inserts the lines of a claimed reservation. */
  async insertLines(lines: readonly ReservationLineRow[]): Promise<void> {
    if (lines.length === 0) return;
    await this.#db
      .insertInto('reservation_lines')
      .values([...lines])
      .execute({ signal: this.#signal });
  }

  /** A reservation with its lines, or undefined. */
  async find(key: ReservationKey): Promise<ReservationWithLines | undefined> {
    const row = await this.#db
      .selectFrom('reservations')
      .selectAll()
      .$if('id' in key, (qb) => qb.where('id', '=', (key as { id: string }).id))
      .$if('orderReference' in key, (qb) => qb.where('order_reference', '=', (key as { orderReference: string }).orderReference))
      .executeTakeFirst({ signal: this.#signal });
    if (row === undefined) return undefined;
    return { ...row, lines: await this.lines(row.id) };
  }

  /** The lines of a reservation, by sku then location. */
  async lines(reservationId: string): Promise<ReservationLineRow[]> {
    return this.#db
      .selectFrom('reservation_lines')
      .selectAll()
      .where('reservation_id', '=', reservationId)
      .orderBy('sku')
      .orderBy('location')
      .execute({ signal: this.#signal });
  }

  /**
   * Locks the reservation row for the rest of the transaction: commit, release and expiry all lock it first,
   * so exactly one of them moves it out of `active`.
   */
  async lock(key: ReservationKey): Promise<LockedReservation | undefined> {
    const where = 'id' in key ? sql`id = ${key.id}` : sql`order_reference = ${key.orderReference}`;
    const result = await sql<LockedReservation>`
      SELECT *, expires_at <= now() AS past_ttl,
             expires_at <= clock_timestamp() + make_interval(secs => ${EXPIRY_SKEW_MS / 1000}) AS due
      FROM reservations WHERE ${where}
      FOR UPDATE`.execute(this.#db, { signal: this.#signal });
    return result.rows[0];
  }

  /** Moves a locked active reservation to a final status. */
  async finish(id: string, status: Exclude<ReservationStatusValue, 'active'>): Promise<ReservationRow> {
    return this.#db
      .updateTable('reservations')
      .set({ status, finished_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('status', '=', 'active')
      .returningAll()
      .executeTakeFirstOrThrow({ signal: this.#signal });
  }

  /** Ids of active reservations whose TTL passed more than `graceMs` ago, oldest first. */
  async overdue(graceMs: number, limit: number): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('reservations')
      .select('id')
      .where('status', '=', 'active')
      .where('expires_at', '<', sql<Date>`now() - make_interval(secs => ${graceMs / 1000})`)
      .orderBy('expires_at')
      .limit(limit)
      .execute({ signal: this.#signal });
    return rows.map((row) => row.id);
  }
}
