import { sql } from 'kysely';
import type { ColumnType, Kysely, Selectable } from 'kysely';

/** Where a claimed operation is: worked on (`pending`), or finished with a response or a refusal to replay. */
export type ClaimedOperationStatus = 'pending' | 'succeeded' | 'failed';

/** The refusal a failed operation stores: the error its caller got, replayed for the same key. */
export interface ClaimedOperationFailure {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** The columns every claimed-operations table has, as they are read. */
export interface ClaimedOperationRow {
  id: string;
  principal_id: string;
  idempotency_key: string;
  request_hash: string;
  status: ClaimedOperationStatus;
  /** The finished operation's response (jsonb), replayed with `replayed: true`. */
  response: Record<string, unknown> | null;
  /** The failed operation's refusal (jsonb), replayed as the same error. */
  error: ClaimedOperationFailure | null;
  /** While in the future, the call holding the lease works on the pending operation; nobody else may. */
  lease_expires_at: Date | null;
  attempts: number;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

/** The names of the tables of `DB` whose rows are claimed operations. */
export type ClaimedOperationTableOf<DB> = {
  [T in keyof DB & string]: Selectable<DB[T]> extends ClaimedOperationRow ? T : never;
}[keyof DB & string];

/** Which table a {@link ClaimedOperationStore} works on, and where that table differs from the others. */
export interface ClaimedOperationTable<T extends string, S extends string> {
  /** The table, e.g. `order_operations`. */
  table: T;
  /** The column that names what was claimed besides principal and key (`tool`, `kind`): the key is unique per it. */
  scope: S;
  /**
   * The time {@link ClaimedOperationStore.unattended} measures the age by and orders by: `updated_at` (nobody
   * touched it lately) or `created_at` (claimed long ago).
   */
  unattendedBy: 'created_at' | 'updated_at';
}

/** The time a lease of `ms` milliseconds taken now runs out, by the database clock. */
export const leaseUntil = (ms: number) => sql<Date>`now() + make_interval(secs => ${ms / 1000})`;

/** The shared columns as written; jsonb values go in as JSON text. */
interface ClaimedOperationsTable {
  id: string;
  principal_id: string;
  idempotency_key: string;
  request_hash: string;
  status: ClaimedOperationStatus;
  response: ColumnType<ClaimedOperationRow['response'], string | null, string | null>;
  error: ColumnType<ClaimedOperationRow['error'], string | null, string | null>;
  lease_expires_at: Date | null;
  attempts: number;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

/**
 * SQL over one claimed-operations table: an operation claimed by (principal, scope, idempotency key) before anything
 * moves, `pending` until it succeeds or fails (its outcome replayed for the same key). Lease rules: only the holder
 * of an unexpired lease works on a pending operation; a released or expired lease may be taken by a retry with the
 * same key or by the server's own sweep. Claiming stays with each table's store (its columns and unique key differ);
 * a subclass names its table and adds those queries. Every query ends with the store's `signal`.
 */
export class ClaimedOperationStore<DB, T extends ClaimedOperationTableOf<DB>, S extends keyof Selectable<DB[T]> & string> {
  // The shared columns under any table name: Kysely cannot resolve columns through a generic table name.
  readonly #db: Kysely<Record<string, ClaimedOperationsTable>>;
  readonly #signal: AbortSignal;
  // Widened to string: the queries are typed against the shared columns, whatever the table's name.
  readonly #table: ClaimedOperationTable<string, string>;

  /** Over `db` (the pool, or the transaction the queries must join); every query ends with `signal`. */
  constructor(db: Kysely<DB>, signal: AbortSignal, table: ClaimedOperationTable<T, S>) {
    this.#db = db as unknown as Kysely<Record<string, ClaimedOperationsTable>>;
    this.#signal = signal;
    this.#table = Object.freeze({ ...table });
  }

  /** The operation of (principal, scope, key), if any. */
  async find(principalId: string, scope: Selectable<DB[T]>[S], key: string): Promise<Selectable<DB[T]> | undefined> {
    const row = await this.#db
      .selectFrom(this.#table.table)
      .selectAll()
      .where('principal_id', '=', principalId)
      .where(sql.ref(this.#table.scope), '=', scope)
      .where('idempotency_key', '=', key)
      .executeTakeFirst({ signal: this.#signal });
    return row as Selectable<DB[T]> | undefined;
  }

  /** One operation by id, if it exists. */
  async byId(id: string): Promise<Selectable<DB[T]> | undefined> {
    const row = await this.#db.selectFrom(this.#table.table).selectAll().where('id', '=', id).executeTakeFirst({ signal: this.#signal });
    return row as Selectable<DB[T]> | undefined;
  }

  /** The operation, locked until the transaction ends. */
  async lock(id: string): Promise<Selectable<DB[T]> | undefined> {
    const row = await this.#db.selectFrom(this.#table.table).selectAll().where('id', '=', id).forUpdate().executeTakeFirst({ signal: this.#signal });
    return row as Selectable<DB[T]> | undefined;
  }

  /**
   * Takes the lease of a pending operation nobody works on (lease expired or released), so exactly one caller
   * finishes it; undefined when it is not pending or someone holds the lease.
   */
  async takeLease(id: string, leaseMs: number): Promise<Selectable<DB[T]> | undefined> {
    const row = await this.#db
      .updateTable(this.#table.table)
      .set({ lease_expires_at: leaseUntil(leaseMs), attempts: sql<number>`attempts + 1`, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', sql<Date>`now()`)]))
      .returningAll()
      .executeTakeFirst({ signal: this.#signal });
    return row as Selectable<DB[T]> | undefined;
  }

  /** Gives up the lease of a pending operation, so a retry or the sweep may finish it at once. */
  async releaseLease(id: string): Promise<void> {
    await this.#db
      .updateTable(this.#table.table)
      .set({ lease_expires_at: null, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute({ signal: this.#signal });
  }

  /** Marks the operation succeeded with the response a retry replays. */
  async succeed(id: string, response: Record<string, unknown>): Promise<void> {
    await this.#db
      .updateTable(this.#table.table)
      .set({ status: 'succeeded', response: JSON.stringify(response), lease_expires_at: null, completed_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .execute({ signal: this.#signal });
  }

  /** Marks the operation failed with the error a retry replays. */
  async fail(id: string, failure: ClaimedOperationFailure): Promise<void> {
    await this.#db
      .updateTable(this.#table.table)
      .set({ status: 'failed', error: JSON.stringify(failure), lease_expires_at: null, completed_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .execute({ signal: this.#signal });
  }

  /**
   * Pending operations whose lease is released or expired and whose `unattendedBy` time is at least `minAgeMs` ago,
   * oldest first: the sweep finishes them (the age keeps it from racing a caller that is about to retry).
   */
  async unattended(minAgeMs: number, limit: number): Promise<Selectable<DB[T]>[]> {
    const { table, unattendedBy } = this.#table;
    const rows = await this.#db
      .selectFrom(table)
      .selectAll()
      .where('status', '=', 'pending')
      .where(unattendedBy, '<=', sql<Date>`now() - make_interval(secs => ${minAgeMs / 1000})`)
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', sql<Date>`now()`)]))
      .orderBy(unattendedBy)
      .limit(limit)
      .execute({ signal: this.#signal });
    return rows as Selectable<DB[T]>[];
  }
}
