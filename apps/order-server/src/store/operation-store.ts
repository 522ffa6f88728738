import { ClaimedOperationStore, leaseUntil } from '@mcpfed/db';
import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { OperationTool, OrderDatabase, OrderOperationsTable } from './order-database.ts';

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

/**
 * SQL over `order_operations`, the claims of order_cancel, order_refund and order_fulfill (`pending` until their
 * local change commits), keyed by (principal, tool, key). Leases, outcomes and the sweeper's list are the shared
 * claimed-operation queries; the sweeper takes operations nobody touched lately (`updated_at`).
 */
export class OperationStore extends ClaimedOperationStore<OrderDatabase, 'order_operations', 'tool'> {
  readonly #db: Kysely<OrderDatabase>;
  readonly #signal: AbortSignal;

  /** Over `db` (the pool, or the transaction the queries must join); every query ends with `signal`. */
  constructor(db: Kysely<OrderDatabase>, signal: AbortSignal) {
    super(db, signal, { table: 'order_operations', scope: 'tool', unattendedBy: 'updated_at' });
    this.#db = db;
    this.#signal = signal;
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
}
