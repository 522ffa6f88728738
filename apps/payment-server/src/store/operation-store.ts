import { ClaimedOperationStore, leaseUntil } from '@mcpfed/db';
import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import type { OperationKind, PaymentDatabase, PaymentOperationsTable, StoredFailure } from './payment-database.ts';

/** A `payment_operations` row. */
export type OperationRow = Selectable<PaymentOperationsTable>;

/** A new operation, claimed by inserting it. */
export interface NewOperation {
  id: string;
  principalId: string;
  kind: OperationKind;
  idempotencyKey: string;
  requestHash: string;
  providerKey: string;
  paymentId: string;
  refundId: string | null;
  amount: number | null;
  currency: string | null;
  params: Record<string, unknown>;
  /**
   * Whether the amount counts against a daily limit: the operation then records this minute's usage bucket, the one
   * `LimitUsageStore.reserve` adds to in the same transaction (both read the transaction's `now()`). An
   * authorization is claimed by `AuthorizationStore.claim` instead, which does both in one statement.
   */
  limited: boolean;
  /** Whose daily limit a limited operation counts against (`rateLimitKeyOf` the principal); stored only when `limited`. */
  limitKey: string;
  /** How long the claiming call may work on it before others may resolve it, in milliseconds. */
  leaseMs: number;
}

/**
 * Repository of `payment_operations`, the idempotency records of money movements, keyed by (principal, kind, key).
 * Leases, outcomes and the reconciler's list are the shared claimed-operation queries; the reconciler takes
 * operations claimed long ago (`created_at`).
 */
export class OperationStore extends ClaimedOperationStore<PaymentDatabase, 'payment_operations', 'kind'> {
  readonly #db: Kysely<PaymentDatabase>;
  readonly #signal: AbortSignal;

  /** Over `db` (the pool, or the transaction the queries must join); every query ends with `signal`. */
  constructor(db: Kysely<PaymentDatabase>, signal: AbortSignal) {
    super(db, signal, { table: 'payment_operations', scope: 'kind', unattendedBy: 'created_at' });
    this.#db = db;
    this.#signal = signal;
  }

  /**
   * Inserts the operation unless (principal, kind, key) exists; returns undefined then. A concurrent claim of the
   * same key waits on the unique index until the first transaction ends, so exactly one claim wins.
   */
  async claim(op: NewOperation): Promise<OperationRow | undefined> {
    return this.#db
      .insertInto('payment_operations')
      .values({
        id: op.id,
        principal_id: op.principalId,
        kind: op.kind,
        idempotency_key: op.idempotencyKey,
        request_hash: op.requestHash,
        provider_key: op.providerKey,
        payment_id: op.paymentId,
        refund_id: op.refundId,
        amount: op.amount,
        currency: op.currency,
        params: JSON.stringify(op.params),
        limit_bucket: op.limited ? sql<Date>`date_trunc('minute', now())` : null,
        limit_key: op.limited ? op.limitKey : null,
        lease_expires_at: leaseUntil(op.leaseMs),
        attempts: 1,
      })
      .onConflict((oc) => oc.constraint('payment_operations_key').doNothing())
      .returningAll()
      .executeTakeFirst({ signal: this.#signal });
  }

  /**
   * Records (principal, 'authorize', key) as failed before any authorization was made with it, unless the key is
   * taken (then undefined): a payment_authorize that arrives later with this key replays `failure` and moves
   * nothing. A concurrent claim of the same key waits on the unique index, so exactly one of the two wins.
   */
  async bar(op: {
    id: string;
    principalId: string;
    idempotencyKey: string;
    requestHash: string;
    providerKey: string;
    paymentId: string;
    failure: StoredFailure;
  }): Promise<OperationRow | undefined> {
    return this.#db
      .insertInto('payment_operations')
      .values({
        id: op.id,
        principal_id: op.principalId,
        kind: 'authorize',
        idempotency_key: op.idempotencyKey,
        request_hash: op.requestHash,
        provider_key: op.providerKey,
        status: 'failed',
        payment_id: op.paymentId,
        params: JSON.stringify({}),
        error: JSON.stringify(op.failure),
        attempts: 0,
        completed_at: sql<Date>`now()`,
      })
      .onConflict((oc) => oc.constraint('payment_operations_key').doNothing())
      .returningAll()
      .executeTakeFirst({ signal: this.#signal });
  }

  /**
   * Fills in what the claim could not know yet (the amount and currency read from the payment, more params); the
   * params are merged into the claimed ones.
   */
  async complete(claimed: OperationRow, patch: { amount?: number; currency?: string; params?: Record<string, unknown> }): Promise<OperationRow> {
    return this.#db
      .updateTable('payment_operations')
      .set({
        ...(patch.amount === undefined ? {} : { amount: patch.amount }),
        ...(patch.currency === undefined ? {} : { currency: patch.currency }),
        params: JSON.stringify({ ...claimed.params, ...patch.params }),
      })
      .where('id', '=', claimed.id)
      .returningAll()
      .executeTakeFirstOrThrow({ signal: this.#signal });
  }

  /** Deletes an operation that never reached the provider: its key may be used again. */
  async delete(id: string): Promise<void> {
    await this.#db.deleteFrom('payment_operations').where('id', '=', id).where('status', '=', 'pending').execute({ signal: this.#signal });
  }

  /** How many operations on these payments are pending. */
  async countPending(paymentIds: readonly string[]): Promise<number> {
    if (paymentIds.length === 0) return 0;
    const row = await this.#db
      .selectFrom('payment_operations')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('status', '=', 'pending')
      .where('payment_id', 'in', [...paymentIds])
      .executeTakeFirstOrThrow({ signal: this.#signal });
    return Number(row.n);
  }
}
