import type { Kysely } from 'kysely';
import type { NewOperation, OperationRow } from '../store/operation-store.ts';
import type { OperationKind, PaymentDatabase, StoredFailure } from '../store/payment-database.ts';
import type { ProviderCharge, ProviderRefund } from './provider/payment-provider.ts';

/** A provider's answer to a money-moving request. */
export type ProviderResult = ProviderCharge | ProviderRefund;

/** Fields `begin` may fill in once it has read the payment (written to the operation in the same transaction). */
export interface OperationPatch {
  amount?: number;
  currency?: string;
  params?: Record<string, unknown>;
}

/**
 * What one kind of operation does around the provider call. Everything after `begin` works from the stored
 * operation alone, so a retry or the reconciler can finish an operation whose caller is gone.
 */
export type OperationSteps = CommonOperationSteps &
  (
    | {
        /**
         * Second transaction: records the provider's result (payment, ledger) and returns the tool's response; the
         * runner locks the operation before and marks it succeeded after. `signal` is never aborted: once the
         * provider acted, the record must be written even if the caller gave up.
         */
        record(trx: Kysely<PaymentDatabase>, op: OperationRow, result: ProviderResult, signal: AbortSignal): Promise<Record<string, unknown>>;
        recordAtOnce?: never;
      }
    | {
        record?: never;
        /**
         * Instead of `record`: the whole second transaction in one statement (pool, not a transaction) — lock the
         * operation, record the result unless it was settled meanwhile, mark it succeeded. Undefined: the operation
         * is gone.
         */
        recordAtOnce(db: Kysely<PaymentDatabase>, op: OperationRow, result: ProviderResult, signal: AbortSignal): Promise<SettledOperation | undefined>;
      }
  );

/** What a one-statement record found: it recorded the result, or the operation had been settled already. */
export interface SettledOperation extends Pick<OperationRow, 'status' | 'response' | 'error'> {
  recorded: boolean;
}

/** The steps every kind has. */
export interface CommonOperationSteps {
  /** Calls the provider with `op.provider_key` (the same on every attempt). */
  call(op: OperationRow, signal: AbortSignal): Promise<ProviderResult>;
  /**
   * Undoes the operation's reservations when the provider refused it (`failed`) or never saw it (`abandoned`), in
   * the transaction that settles the operation (`signal` never aborted, as for `record`).
   */
  release(
    trx: Kysely<PaymentDatabase>,
    op: OperationRow,
    outcome: 'failed' | 'abandoned',
    failure: StoredFailure | undefined,
    signal: AbortSignal,
  ): Promise<void>;
  /** After the second transaction committed; best effort (e.g. scheduling the authorization's expiry). */
  afterRecord?(op: OperationRow, response: Record<string, unknown>): Promise<void>;
}

/** One money-moving call as the runner needs it. */
export interface OperationRequest {
  kind: OperationKind;
  idempotencyKey: string;
  /** The arguments that define the operation (tool input without idempotency_key and dry_run): hashed. */
  args: Record<string, unknown>;
  paymentId: string;
  refundId?: string;
  amount?: number;
  currency?: string;
  params?: Record<string, unknown>;
  /**
   * First transaction, right after the key was claimed: checks and reservations (lock the payment, reserve the
   * amount). Throwing refuses the call and stores nothing.
   */
  begin?(trx: Kysely<PaymentDatabase>, op: OperationRow): Promise<OperationPatch | void>;
  /**
   * Instead of the claim and `begin`: the whole first transaction in one statement (pool, not a transaction).
   * Undefined when the key is taken; throwing refuses the call and stores nothing.
   */
  claimAtOnce?(db: Kysely<PaymentDatabase>, op: NewOperation, signal: AbortSignal): Promise<OperationRow | undefined>;
}
