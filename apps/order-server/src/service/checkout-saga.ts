import type { CheckoutStep } from '@mcpfed/contract-order';
import type { Kysely } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { Logger } from '@mcpfed/telemetry';
import type { OrderDatabase } from '../store/order-database.ts';
import { OrderStore } from '../store/order-store.ts';
import type { OrderRecord } from '../store/order-store.ts';
import { SagaStore } from '../store/saga-store.ts';
import type { SagaRecord } from '../store/saga-store.ts';
import { CheckoutCompensation } from './checkout-compensation.ts';
import { CheckoutInterrupted, CheckoutRefused, errorMessage, isTransient, stepError } from './checkout-failures.ts';
import { DONE } from './checkout-key.ts';
import { CheckoutSteps } from './checkout-steps.ts';
import type { OrderChanges } from './order-changes.ts';
import type { UpstreamIdentity } from './upstream-identity.ts';
import type { UpstreamCallContext, Upstreams } from './upstreams.ts';

/** Collaborators and settings of a {@link CheckoutSaga}. */
export interface CheckoutSagaDeps {
  db: Kysely<OrderDatabase>;
  changes: OrderChanges;
  upstreams: Upstreams;
  /** Whose token each run calls the upstreams with (the caller's, kept sealed, or the order server's own). */
  identity: UpstreamIdentity;
  /** `ttl_seconds` of the stock reservation (it expires unless committed). */
  reservationTtlSeconds: number;
  logger: Logger;
  /** Told after every persisted step (in-process waiters of order_place listen). */
  onProgress?: (orderId: string, saga: SagaRecord) => void;
  /** Builds the saga store a run reads and guards its row with (a test races it). Default `new SagaStore(db, signal)`. */
  sagaStore?: (db: Kysely<OrderDatabase>, signal: AbortSignal) => SagaStore;
}

/** How one run of a saga job is going. */
export interface SagaRun {
  /** True on the job's last attempt: a transient failure then compensates instead of retrying. */
  finalAttempt: boolean;
  /** Trace context of the order_place call, continued by the upstream calls; a new trace otherwise. */
  traceparent?: string;
}

/** What a run ended with. */
export type SagaOutcome = 'completed' | 'failed' | 'finished_before';

/** Why a checkout whose caller's token lapsed before it finished failed (order_get shows it). */
const CALLER_TOKEN_LAPSED =
  "The caller's access token expired before the checkout could finish on its behalf; what it had reserved or authorized is released. Place the order again with a new idempotency key.";

/**
 * The checkout saga (docs/architecture.md §6). Each run resumes from the persisted step; every remote step carries the
 * idempotency key `checkout:<order_id>:<step>`, so a step repeated after a crash (done remotely, not yet recorded
 * here) gets the original result instead of acting twice. A refusal compensates in reverse (void or refund the
 * payment, release the stock) and fails the order; a transient failure is rethrown for the queue's backoff, and on
 * the final attempt compensates instead. Compensation that meets a transient failure is rethrown too and the
 * saga stays `compensating` until a retry (or the sweeper) finishes it.
 */
export class CheckoutSaga {
  readonly #deps: CheckoutSagaDeps;
  readonly #steps: CheckoutSteps;
  readonly #compensation: CheckoutCompensation;

  constructor(deps: CheckoutSagaDeps) {
    this.#deps = Object.freeze({ ...deps });
    this.#steps = new CheckoutSteps(deps);
    this.#compensation = new CheckoutCompensation(deps);
  }

  /** Runs the saga of an order as far as it goes; `ctx` is the job's (its signal ends every query and call). */
  async run(orderId: string, run: SagaRun, ctx: Pick<RequestContext, 'signal'>): Promise<SagaOutcome> {
    const { db, identity, logger } = this.#deps;
    const sagas = this.#deps.sagaStore?.(db, ctx.signal) ?? new SagaStore(db, ctx.signal);
    let saga = await sagas.countAttempt(orderId);
    if (saga === undefined) return 'finished_before';
    const order = await new OrderStore(db, ctx.signal).get(orderId);
    const caller = await identity.forCheckout(db, orderId, ctx);
    const context: UpstreamCallContext = {
      signal: ctx.signal,
      requestId: `checkout:${orderId}`,
      ...(caller.kind === 'caller' ? { subjectToken: caller.subjectToken } : {}),
      ...(run.traceparent === undefined ? {} : { traceparent: run.traceparent }),
    };
    const attempt = { number: saga.attempts, final: run.finalAttempt };
    if (saga.status === 'running') {
      try {
        // The forward steps act for the caller only: with its token lapsed, nobody may go on in its name.
        if (caller.kind === 'lapsed') throw new CheckoutRefused('internal', CALLER_TOKEN_LAPSED);
        await this.#forward(orderId, saga, context, order, attempt.number, ctx);
        await identity.forget(db, orderId, ctx);
        return 'completed';
      } catch (error) {
        let current = await sagas.get(orderId);
        if (current.status === 'running') {
          const step = current.step;
          const refusal = error instanceof CheckoutRefused ? error : undefined;
          if (refusal === undefined && !run.finalAttempt && isTransient(error)) {
            const failure = stepError(step, error);
            await sagas.update(orderId, { last_error: JSON.stringify(failure) });
            logger.warn({ order_id: orderId, step, code: failure.code, attempt: attempt.number }, 'checkout step failed transiently; the job retries');
            throw error;
          }
          const reason = refusal?.reason ?? (AppError.is(error) && isTransient(error) ? 'upstream_unavailable' : 'internal');
          const message = refusal?.message ?? `The checkout could not finish step ${step}: ${errorMessage(error)}`;
          if (reason === 'internal' && refusal === undefined) logger.error({ err: error, order_id: orderId, step }, 'checkout step failed unexpectedly');
          // Guarded on `running`: a cancel committed since the read above keeps its reason (the caller was told
          // "cancelled"); the compensation that follows is the same either way.
          const failed = await sagas.startCompensation(orderId, {
            failure_reason: reason,
            failure_message: message.slice(0, 500),
            last_error: JSON.stringify(stepError(step, refusal?.cause ?? error)),
          });
          if (failed !== undefined) {
            logger.info(
              { order_id: orderId, failed_step: step, failure_reason: reason, code: stepError(step, refusal?.cause ?? error).code, attempt: attempt.number },
              'checkout compensating: releasing payment and stock',
            );
          }
          current = failed ?? (await sagas.get(orderId));
        }
        // Another run finished it (a stalled job taken over): nothing of this run's may undo that.
        if (current.status === 'completed' || current.status === 'failed') return 'finished_before';
        // Compensating: set up by this run's failure, or by a cancel (tasks/cancel) while a step ran or just after it
        // failed. This run carries it out after its own step's call returned, so an authorization that call made is
        // voided too.
        saga = current;
        this.#deps.onProgress?.(orderId, saga);
      }
    }
    const ended = await this.#compensation.run(orderId, saga, context, attempt, ctx);
    this.#deps.onProgress?.(orderId, ended);
    await identity.forget(db, orderId, ctx);
    return 'failed';
  }

  async #forward(
    orderId: string,
    initial: SagaRecord,
    context: UpstreamCallContext,
    current: OrderRecord,
    attempt: number,
    ctx: Pick<RequestContext, 'signal'>,
  ): Promise<void> {
    let saga = initial;
    let order: OrderRecord | undefined = current;
    while (saga.step !== DONE) {
      const step = saga.step as CheckoutStep;
      order ??= await new OrderStore(this.#deps.db, ctx.signal).get(orderId);
      const result = await this.#steps.run(step, order, saga, context, attempt, ctx);
      saga = result.saga;
      // The row left `running` while the step ran (its checkout was cancelled): stop here; run() compensates.
      if (saga.status !== 'running' && saga.status !== 'completed') throw new CheckoutInterrupted();
      // A step whose record changed the order hands back the new row; one recorded by another run is read again.
      order = result.order;
      this.#deps.onProgress?.(orderId, saga);
    }
  }
}
