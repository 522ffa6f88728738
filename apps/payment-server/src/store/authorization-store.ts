import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { errorCodeOf } from '@mcpfed/db';
import type { Posting } from '../service/ledger-postings.ts';
import { usageLockName } from './limit-usage-store.ts';
import type { NewOperation, OperationRow } from './operation-store.ts';
import type { OperationStatus, PaymentDatabase, StoredFailure } from './payment-database.ts';

/** What {@link AuthorizationStore.claim} did. */
export type AuthorizeClaim = { claimed: OperationRow } | { taken: true } | { exceeded: true; used: number };

/** The new authorization {@link AuthorizationStore.record} writes. */
export interface RecordedAuthorization {
  operationId: string;
  paymentId: string;
  orderRef: string;
  customerId: string;
  paymentMethodId: string;
  currency: string;
  amount: number;
  provider: string;
  providerChargeId: string;
  createdBy: string;
  ttlMs: number;
  ledgerTransactionId: string;
  postings: readonly Posting[];
  /** The tool's response; the database fills in the payment's created_at, updated_at and expires_at. */
  response: Record<string, unknown>;
}

/** What {@link AuthorizationStore.record} found: it recorded the authorization, or the operation was already settled. */
export interface SettledAuthorization {
  recorded: boolean;
  status: OperationStatus;
  response: Record<string, unknown> | null;
  error: StoredFailure | null;
}

/**
 * The two state changes of payment_authorize, each a single statement (the SQL functions of migration 0009): one
 * round trip and one implicit transaction each, instead of BEGIN, four or five statements and COMMIT.
 */
export class AuthorizationStore {
  readonly #db: Kysely<PaymentDatabase>;
  readonly #signal: AbortSignal;

  /** Over the pool: each statement is its own transaction (never inside another). */
  constructor(db: Kysely<PaymentDatabase>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  /**
   * Claims (principal, 'authorize', key) and adds the amount to the limit key's usage unless that passes `limit`
   * (then nothing is stored). A concurrent claim of the same key waits on the unique index, so one claim wins; the
   * reservation holds the usage key's advisory lock until COMMIT and reads the sum after taking it.
   */
  async claim(op: NewOperation & { amount: number; currency: string }, limit: number): Promise<AuthorizeClaim> {
    try {
      const { rows } = await sql<OperationRow>`
        SELECT * FROM payment_claim_authorize(${op.id}, ${op.principalId}, ${op.idempotencyKey}, ${op.requestHash}, ${op.providerKey},
          ${op.paymentId}, ${op.amount}::bigint, ${op.currency}, ${JSON.stringify(op.params)}::jsonb, ${op.limitKey},
          ${usageLockName({ limitKey: op.limitKey, kind: 'authorize', currency: op.currency })}, ${limit}::bigint, ${op.leaseMs / 1000})`.execute(this.#db, {
        signal: this.#signal,
      });
      const claimed = rows[0];
      return claimed === undefined ? { taken: true } : { claimed };
    } catch (error) {
      if (errorCodeOf(error) === 'P0001' && (error as Error).message === 'payment_daily_limit_exceeded') {
        return { exceeded: true, used: Number((error as { detail?: string }).detail ?? 0) };
      }
      throw error;
    }
  }

  /**
   * Records the provider's charge of a pending operation — payment, balanced ledger transaction, operation
   * succeeded with the response — or, when the operation was settled meanwhile, returns its outcome
   * (`recorded: false`). Undefined when the operation does not exist.
   */
  async record(authorization: RecordedAuthorization): Promise<SettledAuthorization | undefined> {
    const a = authorization;
    const { rows } = await sql<SettledAuthorization>`
      SELECT * FROM payment_record_authorization(${a.operationId}, ${a.paymentId}, ${a.orderRef}, ${a.customerId}, ${a.paymentMethodId},
        ${a.currency}, ${a.amount}::bigint, ${a.provider}, ${a.providerChargeId}, ${a.createdBy}, ${a.ttlMs / 1000},
        ${a.ledgerTransactionId}, ${JSON.stringify(a.postings)}::jsonb, ${JSON.stringify(a.response)}::jsonb)`.execute(this.#db, { signal: this.#signal });
    return rows[0];
  }
}
