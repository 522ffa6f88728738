import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { inTransaction } from '@mcpfed/db';
import { AppError, isErrorCode } from '@mcpfed/errors';
import type { ProviderCharge, ProviderLookup, ProviderRefund } from './payment-provider.ts';
import type { SandboxDatabase, StoredProviderError } from './sandbox-database.ts';

/** What one logged request did: acted (its result), refused (its error), or found its key taken (replay). */
export type SandboxOutcome<T> = { result: T } | { failure: AppError } | { replay: true };

/**
 * The sandbox's idempotency records (`sandbox.requests`), like a real provider's: a key acts at most once, and a
 * repeated key gets the first request's result or refusal — or a refusal when its parameters differ.
 */
export class SandboxRequestLog {
  readonly #db: Kysely<SandboxDatabase>;

  constructor(db: Kysely<SandboxDatabase>) {
    this.#db = db;
  }

  /**
   * Claims `idempotencyKey` and runs `act` in the same transaction, storing what it returned: the request record
   * and the action commit together. `act` returns a refusal (an AppError) instead of throwing it, so it is stored.
   */
  async record<T extends ProviderCharge | ProviderRefund>(
    idempotencyKey: string,
    kind: string,
    requestHash: string,
    act: (trx: Transaction<SandboxDatabase>) => Promise<T | AppError>,
  ): Promise<SandboxOutcome<T>> {
    return inTransaction(this.#db, async (trx): Promise<SandboxOutcome<T>> => {
      const claimed = await trx
        .insertInto('sandbox.requests')
        .values({ idempotency_key: idempotencyKey, kind, request_hash: requestHash })
        .onConflict((oc) => oc.doNothing())
        .returning('idempotency_key')
        .executeTakeFirst();
      if (claimed === undefined) return { replay: true };
      const acted = await act(trx);
      if (AppError.is(acted)) {
        await trx
          .updateTable('sandbox.requests')
          .set({ error: JSON.stringify(storableError(acted)) })
          .where('idempotency_key', '=', idempotencyKey)
          .execute();
        return { failure: acted };
      }
      await trx
        .updateTable('sandbox.requests')
        .set({ response: JSON.stringify(acted) })
        .where('idempotency_key', '=', idempotencyKey)
        .execute();
      return { result: acted };
    });
  }

  /** A repeated idempotency key: the stored result or failure of the first request (never a new action). */
  async stored<T extends ProviderCharge | ProviderRefund>(idempotencyKey: string, kind: string, requestHash: string): Promise<T> {
    const stored = await this.#db.selectFrom('sandbox.requests').selectAll().where('idempotency_key', '=', idempotencyKey).executeTakeFirstOrThrow();
    if (stored.request_hash !== requestHash || stored.kind !== kind) {
      throw new AppError('VALIDATION_FAILED', 'The provider refused a reused idempotency key with different parameters.', { details: { kind } });
    }
    if (stored.error !== null) throw storedError(stored.error);
    return stored.response as T;
  }

  /** What the request with this key did, without acting. */
  async lookup(idempotencyKey: string, signal?: AbortSignal): Promise<ProviderLookup> {
    const row = await this.#db
      .selectFrom('sandbox.requests')
      .select(['response', 'error'])
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst({ signal });
    if (row === undefined) return { state: 'none' };
    if (row.error !== null) return { state: 'failed', error: storedError(row.error) };
    if (row.response === null) return { state: 'none' };
    return { state: 'succeeded', result: row.response };
  }
}

/** The hash that tells a repeated request from another one under the same key. */
export function requestHashOf(kind: string, request: Record<string, unknown>): string {
  return createHash('sha256')
    .update(JSON.stringify([kind, request]))
    .digest('hex');
}

/** A refusal as `sandbox.requests.error` stores it. */
export function storableError(error: AppError): StoredProviderError {
  return { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) };
}

function storedError(stored: StoredProviderError): AppError {
  return new AppError(isErrorCode(stored.code) ? stored.code : 'INTERNAL', stored.message, stored.details === undefined ? {} : { details: stored.details });
}
