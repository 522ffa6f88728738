import { customerCheckEligibility } from '@mcpfed/contract-customer';
import { CHECKOUT_STEPS } from '@mcpfed/contract-order';
import type { CheckoutStep, FailureReason } from '@mcpfed/contract-order';
import { paymentAuthorize, paymentCapture, paymentGet, paymentSearch, paymentVoid } from '@mcpfed/contract-payment';
import { inventoryCommit, inventoryRelease, inventoryReserve } from '@mcpfed/contract-product';
import type { Kysely } from '@mcpfed/db';
import { inTransaction, mapDatabaseError } from '@mcpfed/db';
import { AppError, toErrorPayload } from '@mcpfed/errors';
import { isRetryable } from '@mcpfed/resilience';
import type { Logger } from '@mcpfed/telemetry';
import type { LineAllocation, OrderDatabase, StepError } from '../store/order-database.ts';
import type { OrderRecord, OrderStore } from '../store/order-store.ts';
import type { SagaRecord, SagaStore } from '../store/saga-store.ts';
import type { OrderChanges } from './order-changes.ts';
import { refundPayment } from './payment-refunder.ts';
import type { UpstreamIdentity } from './upstream-identity.ts';
import type { UpstreamCallContext, Upstreams } from './upstreams.ts';

/** The forward steps whose local effect changes the order row. */
const CHANGES_ORDER: ReadonlySet<CheckoutStep> = new Set(['reserve_inventory', 'authorize_payment', 'confirm_order', 'capture_payment']);

/** The step after the last forward step. */
export const DONE = 'done';

/** Collaborators and settings of a {@link CheckoutSaga}. */
export interface CheckoutSagaDeps {
  db: Kysely<OrderDatabase>;
  orders: OrderStore;
  sagas: SagaStore;
  changes: OrderChanges;
  upstreams: Upstreams;
  /** Whose token each run calls the upstreams with (the caller's, kept sealed, or the order server's own). */
  identity: UpstreamIdentity;
  /** `ttl_seconds` of the stock reservation (it expires unless committed). */
  reservationTtlSeconds: number;
  logger: Logger;
  /** Told after every persisted step (in-process waiters of order_place listen). */
  onProgress?: (orderId: string, saga: SagaRecord) => void;
}

/** How one run of a saga job is going. */
export interface SagaRun {
  /** True on the job's last attempt: a transient failure then compensates instead of retrying. */
  finalAttempt: boolean;
  signal: AbortSignal;
  /** Trace context to continue (from the order_place call); a new trace otherwise. */
  traceparent?: string;
}

/** What a run ended with. */
export type SagaOutcome = 'completed' | 'failed' | 'finished_before';

/** A refusal no retry can change: the checkout fails with this reason. */
class CheckoutRefused extends Error {
  readonly reason: FailureReason;
  constructor(reason: FailureReason, message: string, cause?: unknown) {
    super(message, { cause });
    this.reason = reason;
  }
}

/** The saga row stopped running while a step ran (a cancel): the forward steps end, compensation follows. */
class CheckoutInterrupted extends Error {
  constructor() {
    super('checkout interrupted');
  }
}

/** Why a checkout whose caller's token lapsed before it finished failed (order_get shows it). */
const CALLER_TOKEN_LAPSED =
  "The caller's access token expired before the checkout could finish on its behalf; what it had reserved or authorized is released. Place the order again with a new idempotency key.";

/** The idempotency key of a step of an order's checkout (docs/architecture.md §6). */
export function checkoutKey(orderId: string, step: string): string {
  return `checkout:${orderId}:${step}`;
}

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

  constructor(deps: CheckoutSagaDeps) {
    this.#deps = Object.freeze({ ...deps });
  }

  /** Runs the saga of an order as far as it goes. */
  async run(orderId: string, run: SagaRun): Promise<SagaOutcome> {
    const { db, sagas } = this.#deps;
    let saga = await sagas.countAttempt(db, orderId);
    if (saga === undefined) return 'finished_before';
    const order = await this.#deps.orders.get(db, orderId);
    const identity = await this.#deps.identity.forCheckout(db, orderId);
    const context: UpstreamCallContext = {
      signal: run.signal,
      requestId: `checkout:${orderId}`,
      ...(identity.kind === 'caller' ? { subjectToken: identity.subjectToken } : {}),
      ...(run.traceparent === undefined ? {} : { traceparent: run.traceparent }),
    };
    const attempt = { number: saga.attempts, final: run.finalAttempt };
    if (saga.status === 'running') {
      try {
        // The forward steps act for the caller only: with its token lapsed, nobody may go on in its name.
        if (identity.kind === 'lapsed') throw new CheckoutRefused('internal', CALLER_TOKEN_LAPSED);
        await this.#forward(orderId, saga, context, order, attempt.number);
        await this.#deps.identity.forget(db, orderId);
        return 'completed';
      } catch (error) {
        let current = await sagas.get(db, orderId);
        if (current.status === 'running') {
          const step = current.step;
          const refusal = error instanceof CheckoutRefused ? error : undefined;
          if (refusal === undefined && !run.finalAttempt && isTransient(error)) {
            const failure = stepError(step, error);
            await sagas.update(db, orderId, { last_error: JSON.stringify(failure) });
            this.#deps.logger.warn({ order_id: orderId, step, code: failure.code, attempt: attempt.number }, 'checkout step failed transiently; the job retries');
            throw error;
          }
          const reason = refusal?.reason ?? (AppError.is(error) && isTransient(error) ? 'upstream_unavailable' : 'internal');
          const message = refusal?.message ?? `The checkout could not finish step ${step}: ${errorMessage(error)}`;
          if (reason === 'internal' && refusal === undefined) this.#deps.logger.error({ err: error, order_id: orderId, step }, 'checkout step failed unexpectedly');
          // Guarded on `running`: a cancel committed since the read above keeps its reason (the caller was told
          // "cancelled"); the compensation that follows is the same either way.
          const failed = await sagas.startCompensation(db, orderId, {
            failure_reason: reason,
            failure_message: message.slice(0, 500),
            last_error: JSON.stringify(stepError(step, refusal?.cause ?? error)),
          });
          if (failed !== undefined) {
            this.#deps.logger.info(
              { order_id: orderId, failed_step: step, failure_reason: reason, code: stepError(step, refusal?.cause ?? error).code, attempt: attempt.number },
              'checkout compensating: releasing payment and stock',
            );
          }
          current = failed ?? (await sagas.get(db, orderId));
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
    await this.#compensate(orderId, saga, context, attempt);
    await this.#deps.identity.forget(db, orderId);
    return 'failed';
  }

  /**
   * The one line an operator sees per checkout at its end: ids, outcome, money, the steps done, the time since the
   * order was written (all attempts) and this run's attempt. No personal data: ids only, never names or addresses.
   */
  #logEnd(outcome: 'confirmed' | 'failed', order: OrderRecord, saga: SagaRecord, attempt: number): void {
    this.#deps.logger.info(
      {
        order_id: order.id,
        order_number: order.order_number,
        customer_id: order.customer_id,
        status: order.status,
        ...(outcome === 'failed' ? { failure_reason: saga.failure_reason } : {}),
        total_amount: order.total_amount === null ? null : Number(order.total_amount),
        currency: order.currency,
        steps: saga.completed_steps,
        duration_ms: Date.now() - new Date(saga.started_at).getTime(),
        attempt,
      },
      `checkout ${outcome}`,
    );
  }

  async #forward(orderId: string, initial: SagaRecord, context: UpstreamCallContext, current: OrderRecord, attempt: number): Promise<void> {
    let saga = initial;
    let order: OrderRecord | undefined = current;
    while (saga.step !== DONE) {
      const step = saga.step as CheckoutStep;
      order ??= await this.#deps.orders.get(this.#deps.db, orderId);
      saga = await this.#runStep(step, order, saga, context, attempt);
      // The row left `running` while the step ran (its checkout was cancelled): stop here; run() compensates.
      if (saga.status !== 'running' && saga.status !== 'completed') throw new CheckoutInterrupted();
      // Only these steps change the order row; the others leave the copy in hand current.
      if (CHANGES_ORDER.has(step)) order = undefined;
      this.#deps.onProgress?.(orderId, saga);
    }
  }

  async #runStep(step: CheckoutStep, order: OrderRecord, saga: SagaRecord, context: UpstreamCallContext, attempt: number): Promise<SagaRecord> {
    const { upstreams, orders, changes } = this.#deps;
    const key = checkoutKey(order.id, step);
    switch (step) {
      case 'check_eligibility': {
        const result = await refusing(
          upstreams.customer.call(
            customerCheckEligibility,
            { customer_id: order.customer_id, ...(order.shipping_address_id === null ? {} : { shipping_address_id: order.shipping_address_id }) },
            context,
          ),
          (error) => (error.code === 'NOT_FOUND' ? new CheckoutRefused('customer_not_eligible', `Customer ${order.customer_id} does not exist.`, error) : undefined),
        );
        if (!result.eligible) {
          const reasons = result.reasons.map((r) => `${r.code}: ${r.message}`).join('; ');
          throw new CheckoutRefused('customer_not_eligible', `The customer may not buy now (${reasons}).`);
        }
        return this.#advance(saga, step, undefined);
      }
      case 'reserve_inventory': {
        const lines = await orders.lines(this.#deps.db, [order.id]);
        const { reservation } = await refusing(
          upstreams.product.call(
            inventoryReserve,
            {
              order_reference: order.id,
              lines: lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
              ttl_seconds: this.#deps.reservationTtlSeconds,
              idempotency_key: key,
            },
            context,
          ),
          (error) => {
            const detail = (error.details?.['reason'] as string | undefined) ?? error.code;
            if (error.code === 'PRECONDITION_FAILED' && detail === 'insufficient_stock') return new CheckoutRefused('insufficient_stock', error.message, error);
            if (error.code === 'PRECONDITION_FAILED' || error.code === 'NOT_FOUND') return new CheckoutRefused('product_unavailable', error.message, error);
            return undefined;
          },
        );
        const bySku = new Map<string, { unitPrice: number; allocations: LineAllocation[] }>();
        for (const line of reservation.lines) {
          const entry = bySku.get(line.sku) ?? { unitPrice: line.unit_price.amount, allocations: [] };
          entry.allocations.push({ location: line.location, quantity: line.quantity });
          bySku.set(line.sku, entry);
        }
        return this.#advance(saga, step, async (trx) => {
          await orders.priceLines(trx, order.id, [...bySku].map(([sku, entry]) => ({ sku, ...entry })));
          await orders.update(trx, order.id, { reservation_id: reservation.id, total_amount: reservation.total.amount, currency: reservation.total.currency });
        });
      }
      case 'authorize_payment': {
        const { payment } = await refusing(
          upstreams.payment.call(
            paymentAuthorize,
            {
              order_ref: order.id,
              customer_id: order.customer_id,
              amount: Number(order.total_amount),
              currency: order.currency as 'EUR',
              payment_method: order.payment_method,
              idempotency_key: key,
            },
            context,
          ),
          (error) => {
            if (error.code === 'PAYMENT_DECLINED') return new CheckoutRefused('payment_declined', error.message, error);
            if (error.code === 'LIMIT_EXCEEDED') return new CheckoutRefused('payment_limit_exceeded', error.message, error);
            return isTransient(error) ? undefined : new CheckoutRefused('payment_failed', error.message, error);
          },
        );
        return this.#advance(saga, step, async (trx) => {
          await orders.update(trx, order.id, { payment_id: payment.id, amount_authorized: payment.amount_authorized });
        });
      }
      case 'confirm_order':
        return this.#advance(saga, step, async (trx) => {
          const locked = await orders.get(trx, order.id, { forUpdate: true });
          if (locked.status === 'pending') await changes.transition(trx, locked, 'confirmed', 'checkout', { confirmed_at: new Date() });
        });
      case 'capture_payment': {
        if (order.capture_mode !== 'immediate' || order.payment_id === null) return this.#advance(saga, step, undefined);
        const paymentId = order.payment_id;
        const captured = await upstreams.payment.call(paymentCapture, { payment_id: paymentId, idempotency_key: key }, context).then(
          (result) => result.payment.amount_captured,
          async (error: unknown) => {
            if (!AppError.is(error) || error.code !== 'PRECONDITION_FAILED') throw error;
            // Captured by an earlier run whose answer was lost, or no longer capturable (expired, voided).
            const current = await upstreams.payment.call(paymentGet, { payment_id: paymentId }, context);
            if (current.amount_captured > 0) return current.amount_captured;
            throw new CheckoutRefused('payment_failed', `The payment could not be captured: ${error.message}`, error);
          },
        );
        return this.#advance(saga, step, async (trx) => {
          await orders.update(trx, order.id, { amount_captured: captured });
        });
      }
      case 'commit_inventory': {
        await refusing(upstreams.product.call(inventoryCommit, { order_reference: order.id, idempotency_key: key }, context), (error) =>
          error.code === 'PRECONDITION_FAILED' || error.code === 'NOT_FOUND' ? new CheckoutRefused('reservation_expired', error.message, error) : undefined,
        );
        const { sagas, db } = this.#deps;
        const completed = await sagas.advance(db, order.id, step, DONE, { status: 'completed', finished_at: new Date() });
        // Only the run that recorded the end reports it (a racing run found it recorded).
        if (completed === undefined) return sagas.get(db, order.id);
        this.#logEnd('confirmed', order, completed, attempt);
        return completed;
      }
    }
  }

  /**
   * Records that `step` finished, together with its local effect, unless another run recorded it first (then its
   * row is returned: a stalled job taken over by another worker may race the original).
   */
  async #advance(
    saga: SagaRecord,
    step: CheckoutStep,
    effect: ((trx: Kysely<OrderDatabase>) => Promise<void>) | undefined,
    finish: { status?: 'completed'; finished_at?: Date } = {},
  ): Promise<SagaRecord> {
    const next = CHECKOUT_STEPS[CHECKOUT_STEPS.indexOf(step) + 1] ?? DONE;
    const { sagas, db } = this.#deps;
    if (effect === undefined) return (await sagas.advance(db, saga.order_id, step, next, finish)) ?? sagas.get(db, saga.order_id);
    return inTransaction(db, async (trx) => {
      // The guarded update claims the step first (it locks the row), then the step's local effect joins it.
      const advanced = await sagas.advance(trx, saga.order_id, step, next, finish);
      if (advanced === undefined) return sagas.get(trx, saga.order_id);
      await effect(trx);
      return advanced;
    });
  }

  async #compensate(orderId: string, initial: SagaRecord, context: UpstreamCallContext, attempt: { number: number; final: boolean }): Promise<void> {
    const { db, sagas, orders, upstreams, changes } = this.#deps;
    let saga = initial;
    const done = new Set(saga.completed_steps);
    let transient: unknown;
    if (saga.step === 'void_payment') {
      try {
        // Authorization was attempted once the stock was reserved; the payment is found by its order reference,
        // so an authorization whose answer was lost in a crash is released too.
        if (done.has('reserve_inventory')) await this.#releasePayment(orderId, context);
        saga = await sagas.update(db, orderId, { step: 'release_inventory', completed_steps: [...saga.completed_steps, 'void_payment'] });
      } catch (error) {
        transient = error;
      }
    }
    try {
      if (done.has('check_eligibility')) {
        await upstreams.product
          .call(inventoryRelease, { order_reference: orderId, idempotency_key: checkoutKey(orderId, 'release_inventory') }, context)
          .catch((error: unknown) => {
            // NOT_FOUND: nothing was reserved; PRECONDITION_FAILED: it already ended (released, expired).
            if (AppError.is(error) && (error.code === 'NOT_FOUND' || error.code === 'PRECONDITION_FAILED')) return undefined;
            throw error;
          });
      }
    } catch (error) {
      transient ??= error;
    }
    if (transient !== undefined || saga.step !== 'release_inventory') {
      await sagas.update(db, orderId, { last_error: JSON.stringify(stepError('compensation', transient)) });
      this.#deps.logger.warn(
        { order_id: orderId, step: saga.step, code: stepError(saga.step, transient).code, attempt: attempt.number },
        attempt.final ? 'checkout compensation failed transiently; the sweeper resumes it' : 'checkout compensation failed transiently; the job retries',
      );
      throw transient;
    }
    const finished = await inTransaction(db, async (trx) => {
      const current = await sagas.get(trx, orderId, { forUpdate: true });
      if (current.status !== 'compensating') return { saga: current, order: undefined };
      const order = await orders.get(trx, orderId, { forUpdate: true });
      const failed =
        order.status === 'pending' || order.status === 'confirmed'
          ? await changes.transition(trx, order, 'failed', 'checkout', {
              failure_reason: current.failure_reason ?? 'internal',
              failure_message: current.failure_message,
            })
          : order;
      const ended = await sagas.update(trx, orderId, {
        status: 'failed',
        completed_steps: [...current.completed_steps, 'release_inventory'],
        finished_at: new Date(),
      });
      return { saga: ended, order: failed };
    });
    // Only the run that finished the compensation reports the end (a racing run found it done).
    if (finished.order !== undefined) this.#logEnd('failed', finished.order, finished.saga, attempt.number);
    this.#deps.onProgress?.(orderId, finished.saga);
  }

  /** Voids the order's open authorizations and refunds anything captured (captured before a later step failed). */
  async #releasePayment(orderId: string, context: UpstreamCallContext): Promise<void> {
    const { upstreams, orders, db } = this.#deps;
    if ((await orders.get(db, orderId)).payment_id === null) {
      // The authorization's answer never reached us (a TIMEOUT after the provider acted, a crash): void it by the
      // key it was asked with. The payment server settles a pending one with its provider first, and closes a key
      // nothing was authorized with, so an authorize still on its way cannot leave a hold behind.
      await upstreams.payment
        .call(paymentVoid, { authorization_key: checkoutKey(orderId, 'authorize_payment'), idempotency_key: checkoutKey(orderId, 'void_payment') }, context)
        .catch((error: unknown) => {
          // Nothing held under the key (declined, never made) or no longer authorized (voided; captured: refunded below).
          if (AppError.is(error) && error.code === 'PRECONDITION_FAILED') return undefined;
          throw error;
        });
    }
    const { items } = await upstreams.payment.call(paymentSearch, { filter: { order_ref: orderId }, limit: 10 }, context);
    for (const payment of items) {
      if (payment.status === 'authorized') {
        await upstreams.payment.call(paymentVoid, { payment_id: payment.id, idempotency_key: checkoutKey(orderId, 'void_payment') }, context).catch(async (error: unknown) => {
          if (!AppError.is(error) || error.code !== 'PRECONDITION_FAILED') throw error;
          const current = await upstreams.payment.call(paymentGet, { payment_id: payment.id }, context);
          if (current.amount_refundable > 0) await this.#refundAll(orderId, current.id, current.amount_refundable, current.currency, context);
        });
      } else if (payment.amount_refundable > 0) {
        await this.#refundAll(orderId, payment.id, payment.amount_refundable, payment.currency, context);
      }
    }
    const order = await orders.get(db, orderId);
    if (Number(order.amount_captured) > 0 && Number(order.refunded_amount) < Number(order.amount_captured)) {
      await orders.update(db, orderId, { refunded_amount: order.amount_captured });
    }
  }

  /**
   * Gives back what this failed checkout captured, as the order server itself (its own token, never the caller's):
   * the refund undoes the saga's own charge of moments ago, which nobody asked for, so no person is asked to approve
   * it (docs/security.md, "A person approves money").
   */
  async #refundAll(orderId: string, paymentId: string, amount: number, currency: string, context: UpstreamCallContext): Promise<void> {
    const { subjectToken: _caller, ...own } = context;
    await refundPayment(
      this.#deps.upstreams.payment,
      { paymentId, amount, currency, reason: 'order_canceled', idempotencyKey: checkoutKey(orderId, 'refund_payment') },
      own,
    );
  }
}

/** Whether a failure is worth retrying (network trouble, UPSTREAM_UNAVAILABLE, TIMEOUT, RATE_LIMITED, a retryable CONFLICT). */
function isTransient(error: unknown): boolean {
  if (error instanceof CheckoutRefused) return false;
  return !AppError.is(error) || isRetryable(error);
}

/** Awaits an upstream call, turning the AppErrors `classify` recognises into refusals. */
async function refusing<T>(call: Promise<T>, classify: (error: AppError) => CheckoutRefused | undefined): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (AppError.is(error)) throw classify(error) ?? error;
    throw error;
  }
}

/**
 * The failure as order_get and order_workflow_get may show it: a database error mapped like any tool's, anything
 * unexpected as the generic INTERNAL message. Driver messages, SQL and host names stay in the log.
 */
function stepError(step: string, error: unknown): StepError {
  const { code, message } = toErrorPayload(mapDatabaseError(error));
  return { step, code, message: message.slice(0, 500) };
}

function errorMessage(error: unknown): string {
  return toErrorPayload(mapDatabaseError(error)).message;
}
