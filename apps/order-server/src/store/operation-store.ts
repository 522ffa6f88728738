import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { OperationFailure, OperationTool, OrderDatabase, OrderOperationsTable } from './order-database.ts';

/** An operation record. */
export type OperationRecord = Selectable<OrderOperationsTable>;

/** A new claim of (principal, tool, key) on an order. */
export interface NewOperation {
  principalId: string;
  tool: OperationTool;
  key: string;
  requestHash: string;
  orderId: string;
  /** How long the claiming call may work on it before others may take it over, in milliseconds. */
  leaseMs: number;
}

const leaseUntil = (ms: number) => sql<Date>`now() + make_interval(secs => ${ms / 1000})`;

/**
 * SQL over `order_operations`, the claims of order_cancel, order_refund and order_fulfill (`pending` until their
 * local change commits). Lease rules as in the payment server's operations: only the holder of an unexpired lease
 * works on a pending operation; a released or expired lease may be taken by a retry with the same key or the sweeper.
 */
export class OperationStore {
  readonly #db: Kysely<OrderDatabase>;
  readonly #signal: AbortSignal;

  /** Over `db` (the pool, or the transaction the queries must join); every query ends with `signal`. */
  constructor(db: Kysely<OrderDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /** The record of a key, if any. */
  async find(principalId: string, tool: OperationTool, key: string): Promise<OperationRecord | undefined> {
    return this.#db
      .selectFrom('order_operations')
      .selectAll()
      .where('principal_id', '=', principalId)
      .where('tool', '=', tool)
      .where('idempotency_key', '=', key)
      .executeTakeFirst({ signal: this.#signal });
  }

  /** One operation by id, if it exists. */
  async byId(id: string): Promise<OperationRecord | undefined> {
    return this.#db.selectFrom('order_operations').selectAll().where('id', '=', id).executeTakeFirst({ signal: this.#signal });
  }

  /**
   * Inserts the claim unless (principal, tool, key) exists, then undefined. A concurrent claim of the same key waits
   * on the primary key until the first transaction ends, so exactly one claim wins.
   */
  async claim(op: NewOperation): Promise<OperationRecord | undefined> {
    return this.#db
      .insertInto('order_operations')
      .values({
        principal_id: op.principalId,
        tool: op.tool,
        idempotency_key: op.key,
        request_hash: op.requestHash,
        order_id: op.orderId,
        lease_expires_at: leaseUntil(op.leaseMs),
      })
      .onConflict((oc) => oc.columns(['principal_id', 'tool', 'idempotency_key']).doNothing())
      .returningAll()
      .executeTakeFirst({ signal: this.#signal });
  }

  /** Stores the plan the claim decided on (in the claim's transaction). */
  async setPlan(id: string, plan: Record<string, unknown>): Promise<OperationRecord> {
    return this.#db
      .updateTable('order_operations')
      .set({ plan: JSON.stringify(plan), updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow({ signal: this.#signal });
  }

  /** The operation, locked until the transaction ends. */
  async lock(id: string): Promise<OperationRecord | undefined> {
    return this.#db.selectFrom('order_operations').selectAll().where('id', '=', id).forUpdate().executeTakeFirst({ signal: this.#signal });
  }

  /** Takes the lease of a pending operation nobody works on; undefined when it is not pending or its lease is held. */
  async takeLease(id: string, leaseMs: number): Promise<OperationRecord | undefined> {
    return this.#db
      .updateTable('order_operations')
      .set({ lease_expires_at: leaseUntil(leaseMs), attempts: sql<number>`attempts + 1`, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', sql<Date>`now()`)]))
      .returningAll()
      .executeTakeFirst({ signal: this.#signal });
  }

  /** Gives up the lease of a pending operation, so a retry or the sweeper may finish it at once. */
  async releaseLease(id: string): Promise<void> {
    await this.#db
      .updateTable('order_operations')
      .set({ lease_expires_at: null, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute({ signal: this.#signal });
  }

  /** Marks the operation succeeded with the response a retry replays. */
  async succeed(id: string, response: Record<string, unknown>): Promise<void> {
    await this.#db
      .updateTable('order_operations')
      .set({ status: 'succeeded', response: JSON.stringify(response), lease_expires_at: null, completed_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .execute({ signal: this.#signal });
  }

  /** Marks the operation failed with the error a retry replays. */
  async fail(id: string, failure: OperationFailure): Promise<void> {
    await this.#db
      .updateTable('order_operations')
      .set({ status: 'failed', error: JSON.stringify(failure), lease_expires_at: null, completed_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .execute({ signal: this.#signal });
  }

  /**
   * Pending operations whose lease is released or expired and that nobody touched for `minAgeMs`, oldest first:
   * the sweeper finishes them (the age keeps it from racing a caller that is about to retry).
   */
  async unattended(minAgeMs: number, limit: number): Promise<OperationRecord[]> {
    return this.#db
      .selectFrom('order_operations')
      .selectAll()
      .where('status', '=', 'pending')
      .where('updated_at', '<=', sql<Date>`now() - make_interval(secs => ${minAgeMs / 1000})`)
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', sql<Date>`now()`)]))
      .orderBy('updated_at')
      .limit(limit)
      .execute({ signal: this.#signal });
  }
}
