import type { Kysely } from 'kysely';
import { failureOf, inTransaction, mapDatabaseError, replayedFailure, replayFinished } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import { digest, rateLimitKeyOf } from '@mcpfed/mcp-runtime';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { Logger } from '@mcpfed/telemetry';
import { OperationStore } from '../store/operation-store.ts';
import type { NewOperation, OperationRow } from '../store/operation-store.ts';
import type { OperationKind, PaymentDatabase } from '../store/payment-database.ts';
import { BARRED_REQUEST_HASH } from './authorization-by-key.ts';
import type { IdGenerator } from './new-id.ts';
import type { OperationRequest, OperationSteps, ProviderResult, SettledOperation } from './operation-steps.ts';
import type { ProviderLookup } from './provider/payment-provider.ts';
import { providerKeyOf } from './provider-key.ts';

/** What the reconciler did with an unattended operation. */
export type Resolution = 'recorded' | 'failed' | 'abandoned' | 'busy' | 'unresolved';

/** Collaborators of the {@link OperationRunner}. */
export interface OperationRunnerDeps {
  db: Kysely<PaymentDatabase>;
  steps: Readonly<Record<OperationKind, OperationSteps>>;
  lookup(providerKey: string, signal: AbortSignal): Promise<ProviderLookup>;
  logger: Logger;
  ids: IdGenerator;
  /** How long a call may work on a pending operation before others may resolve it, in milliseconds. */
  leaseMs: number;
}

const MAX_CLAIM_ATTEMPTS = 3;

// Settling an operation (recording the provider's result or refusal, giving a lease back) is not cancelled with the
// call that started it: the provider may already have acted, and a half-settled operation would wait for the sweep.
const SETTLING = new AbortController().signal;

/**
 * Idempotent money movements with the provider call outside every database transaction:
 * 1. tx1 claims (principal, kind, key) in `payment_operations` and runs `begin` (locks, reservations);
 * 2. the provider is called with a provider key derived from ours;
 * 3. tx2 records the result and the ledger transaction and completes the operation.
 * The same key with the same arguments replays the stored outcome (`replayed: true`); with other arguments it is
 * IDEMPOTENCY_KEY_REUSED. A pending operation (provider timeout, crash, failed tx2) is finished by the caller's
 * retry — which repeats the provider call with the same provider key, so the provider acts once — or by the
 * reconciler, which asks the provider what happened.
 */
export class OperationRunner {
  readonly #deps: OperationRunnerDeps;

  constructor(deps: OperationRunnerDeps) {
    if (!Number.isInteger(deps.leaseMs) || deps.leaseMs < 1000) throw new RangeError('OperationRunner: leaseMs must be an integer >= 1000');
    this.#deps = deps;
  }

  /**
   * Runs (or replays, or resumes) one operation of `ctx.principal` and returns the tool's response. Its amount
   * counts against the principal's rate-limit key (a token exchanged for a caller's counts under that caller).
   */
  async run(request: OperationRequest, ctx: Pick<RequestContext, 'principal' | 'signal'>): Promise<Record<string, unknown>> {
    const requestHash = digest(request.args);
    const { signal } = ctx;
    const principalId = ctx.principal.id;
    const limitKey = rateLimitKeyOf(ctx.principal);
    for (let attempt = 1; ; attempt++) {
      const newOperation: NewOperation = {
        id: this.#deps.ids('op'),
        principalId,
        kind: request.kind,
        idempotencyKey: request.idempotencyKey,
        requestHash,
        providerKey: providerKeyOf(principalId, request.kind, request.idempotencyKey, requestHash),
        paymentId: request.paymentId,
        refundId: request.refundId ?? null,
        amount: request.amount ?? null,
        currency: request.currency ?? null,
        params: request.params ?? {},
        limited: request.kind === 'authorize' || request.kind === 'refund',
        limitKey,
        leaseMs: this.#deps.leaseMs,
      };
      const claimed =
        request.claimAtOnce !== undefined
          ? await request.claimAtOnce(this.#deps.db, newOperation, signal).catch((error: unknown) => {
              throw mapDatabaseError(error);
            })
          : await inTransaction(this.#deps.db, async (trx) => {
              const operations = new OperationStore(trx, signal);
              const op = await operations.claim(newOperation);
              if (op === undefined) return undefined;
              const patch = (await request.begin?.(trx, op)) ?? {};
              if (Object.keys(patch).length === 0) return op;
              return operations.complete(op, patch);
            });
      if (claimed !== undefined) return this.#drive(claimed, signal);
      const existing = await new OperationStore(this.#deps.db, signal).find(principalId, request.kind, request.idempotencyKey);
      // The claim that beat ours rolled back before we looked: claim again.
      if (existing === undefined && attempt < MAX_CLAIM_ATTEMPTS) continue;
      if (existing === undefined)
        throw new AppError('CONFLICT', 'A concurrent call with this idempotency key is being set up; retry shortly.', { retryable: true });
      return this.#resume(existing, requestHash, signal);
    }
  }

  /**
   * Finishes an operation nobody works on (the reconciler's entry point): asks the provider by key what happened
   * and records it, records the refusal, or — when the provider never saw it — removes it and releases its
   * reservations, so its key may be used again.
   */
  async resolveUnattended(op: OperationRow, ctx: Pick<RequestContext, 'signal'>): Promise<Resolution> {
    const { signal } = ctx;
    const leased = await new OperationStore(this.#deps.db, signal).takeLease(op.id, this.#deps.leaseMs);
    if (leased === undefined) return 'busy';
    const lookup = await this.#deps.lookup(leased.provider_key, signal);
    if (lookup.state === 'succeeded') {
      await this.#record(leased, lookup.result);
      return 'recorded';
    }
    if (lookup.state === 'failed') {
      await this.#fail(leased, lookup.error);
      return 'failed';
    }
    const abandoned = await inTransaction(this.#deps.db, async (trx) => {
      const operations = new OperationStore(trx, SETTLING);
      const current = await operations.lock(leased.id);
      if (current?.status !== 'pending') return false;
      await this.#deps.steps[current.kind].release(trx, current, 'abandoned', undefined, SETTLING);
      await operations.delete(current.id);
      return true;
    });
    return abandoned ? 'abandoned' : 'unresolved';
  }

  async #resume(op: OperationRow, requestHash: string, signal: AbortSignal): Promise<Record<string, unknown>> {
    // An authorization key payment_void closed before anything was authorized: whatever arrives with it is refused.
    if (op.request_hash === BARRED_REQUEST_HASH && op.error !== null) throw replayedFailure(op.error);
    if (op.request_hash !== requestHash) {
      throw new AppError(
        'IDEMPOTENCY_KEY_REUSED',
        `Idempotency key "${op.idempotency_key}" was already used for another ${op.kind} with different arguments. Use a new key for a new operation, or resend the original arguments to get the original result.`,
        { details: { idempotency_key: op.idempotency_key } },
      );
    }
    const replayed = replayFinished(op);
    if (replayed !== undefined) return replayed;
    const leased = await new OperationStore(this.#deps.db, signal).takeLease(op.id, this.#deps.leaseMs);
    if (leased === undefined) {
      const again = await new OperationStore(this.#deps.db, signal).find(op.principal_id, op.kind, op.idempotency_key);
      if (again !== undefined && again.status !== 'pending') return this.#resume(again, requestHash, signal);
      throw new AppError('CONFLICT', 'An earlier call with this idempotency key is still in progress; retry in a few seconds with the same key.', {
        retryable: true,
        details: { idempotency_key: op.idempotency_key },
      });
    }
    return this.#drive(leased, signal);
  }

  async #drive(op: OperationRow, signal: AbortSignal): Promise<Record<string, unknown>> {
    let result: ProviderResult;
    try {
      result = await this.#deps.steps[op.kind].call(op, signal);
    } catch (error) {
      if (AppError.is(error) && !error.retryable) {
        await this.#fail(op, error);
        throw error;
      }
      await this.#releaseLease(op);
      throw new AppError(
        AppError.is(error) && error.code === 'UPSTREAM_UNAVAILABLE' ? 'UPSTREAM_UNAVAILABLE' : 'TIMEOUT',
        `The payment provider's answer to this ${op.kind} is unknown (it may have acted). Retry with the same idempotency key and arguments to get the result; nothing is done twice.`,
        { retryable: true, cause: error, details: { outcome: 'unknown' } },
      );
    }
    return this.#record(op, result);
  }

  async #record(op: OperationRow, result: ProviderResult): Promise<Record<string, unknown>> {
    const steps = this.#deps.steps[op.kind];
    let outcome: { response: Record<string, unknown>; recorded: boolean };
    try {
      outcome =
        steps.recordAtOnce !== undefined
          ? settledOutcome(op, await steps.recordAtOnce(this.#deps.db, op, result, SETTLING))
          : await inTransaction(this.#deps.db, async (trx) => {
              const operations = new OperationStore(trx, SETTLING);
              const current = await operations.lock(op.id);
              // Someone else settled it meanwhile (a lease outlived by a very slow call): theirs is the outcome.
              const replayed = current === undefined ? undefined : replayFinished(current);
              if (replayed !== undefined) return { response: replayed, recorded: false };
              if (current === undefined) throw vanished(op);
              const response = await steps.record(trx, current, result, SETTLING);
              await operations.succeed(current.id, response);
              return { response, recorded: true };
            });
    } catch (error) {
      if (AppError.is(error) && error.details?.['replayed'] === true) throw error;
      this.#deps.logger.error(
        { err: error, operation_id: op.id, kind: op.kind },
        'recording a provider result failed; the operation stays pending for a retry or the reconciler',
      );
      await this.#releaseLease(op);
      throw new AppError(
        'TIMEOUT',
        `The payment provider completed this ${op.kind} but recording it failed. It is completed automatically; retry with the same idempotency key and arguments to get the result.`,
        { retryable: true, cause: error, details: { outcome: 'recording_pending' } },
      );
    }
    if (outcome.recorded && steps.afterRecord !== undefined) {
      await steps.afterRecord(op, outcome.response).catch((error: unknown) => {
        this.#deps.logger.warn({ err: error, operation_id: op.id }, 'after-record step failed (the reconciler covers it)');
      });
    }
    return outcome.response;
  }

  async #fail(op: OperationRow, error: AppError): Promise<void> {
    const failure = failureOf(error);
    try {
      await inTransaction(this.#deps.db, async (trx) => {
        const operations = new OperationStore(trx, SETTLING);
        const current = await operations.lock(op.id);
        if (current?.status !== 'pending') return;
        await this.#deps.steps[current.kind].release(trx, current, 'failed', failure, SETTLING);
        await operations.fail(current.id, failure);
      });
    } catch (storeError) {
      // The operation stays pending; the reconciler asks the provider again and stores the refusal then.
      this.#deps.logger.error({ err: storeError, operation_id: op.id }, 'storing a provider refusal failed');
    }
  }

  async #releaseLease(op: OperationRow): Promise<void> {
    await new OperationStore(this.#deps.db, SETTLING).releaseLease(op.id).catch((error: unknown) => {
      this.#deps.logger.warn({ err: error, operation_id: op.id }, 'releasing an operation lease failed (it expires by itself)');
    });
  }
}

/** The outcome of a one-statement record: the new response, or the outcome someone else settled meanwhile. */
function settledOutcome(op: OperationRow, settled: SettledOperation | undefined): { response: Record<string, unknown>; recorded: boolean } {
  if (settled === undefined) throw vanished(op);
  if (settled.recorded && settled.response !== null) return { response: settled.response, recorded: true };
  const replayed = replayFinished(settled);
  if (replayed === undefined) throw new AppError('INTERNAL', `operation ${op.id} was neither recorded nor settled`);
  return { response: replayed, recorded: false };
}

function vanished(op: OperationRow): AppError {
  return new AppError('INTERNAL', `operation ${op.id} vanished before its result was recorded`);
}
