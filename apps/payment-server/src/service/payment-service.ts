import { customerFilterFor, reachesCustomer, requireCustomer } from '@mcpfed/auth';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { AppError } from '@mcpfed/errors';
import type { paymentAuthorize, paymentCapture, paymentRefund, paymentVoid } from '@mcpfed/contract-payment';
import type { Logger } from '@mcpfed/telemetry';
import type { PaymentProvider, ProviderCharge, ProviderRefund } from '../provider/payment-provider.ts';
import { LedgerStore } from '../store/ledger-store.ts';
import { LimitUsageStore } from '../store/limit-usage-store.ts';
import type { LimitedKind } from '../store/limit-usage-store.ts';
import type { OperationRow } from '../store/operation-store.ts';
import type { PaymentDatabase, StoredFailure } from '../store/payment-database.ts';
import { PaymentStore } from '../store/payment-store.ts';
import type { PaymentRow } from '../store/payment-store.ts';
import { authorizationByKey } from './authorization-by-key.ts';
import type { Caller } from './caller.ts';
import { postingsOf } from './ledger-postings.ts';
import type { Movement } from './ledger-postings.ts';
import { newId } from './new-id.ts';
import type { IdGenerator } from './new-id.ts';
import { OperationRunner } from './operation-runner.ts';
import type { OperationSteps, ProviderResult, Resolution } from './operation-runner.ts';
import { PaymentMethodService } from './payment-method-service.ts';
import type { PaymentLimits } from './payment-limits.ts';
import { paymentView, refundView } from './payment-view.ts';
import type { RefundApprovals } from './refund-approvals.ts';

type In<T extends { input: z.ZodType }> = z.output<T['input']>;
type Out<T extends { output: z.ZodType }> = z.input<T['output']>;

/** Schedules the automatic void of an authorization at its expiry (a delayed job; the reconciler is the backstop). */
export interface ExpiryScheduler {
  schedule(paymentId: string, expiresAt: Date): Promise<void>;
}

/** Collaborators and settings of the {@link PaymentService}. */
export interface PaymentServiceDeps {
  db: Kysely<PaymentDatabase>;
  provider: PaymentProvider;
  limits: PaymentLimits;
  /** Which refunds wait for a person's approval. */
  approvals: RefundApprovals;
  /** How long an uncaptured authorization lives before it is voided, in milliseconds. */
  authorizationTtlMs: number;
  /** How long one call may work on a pending operation before a retry or the reconciler may take over, in milliseconds. Default 60000. */
  operationLeaseMs?: number;
  /** Default: none (the reconciler's sweep voids expired authorizations on its own). */
  expiry?: ExpiryScheduler;
  logger: Logger;
  /** Default: time-ordered random ids; the seed passes deterministic ones. */
  ids?: IdGenerator;
}

/** Principal of the automatic voids of expired authorizations. */
export const EXPIRY_PRINCIPAL = 'system:expiry';

/** What an expiry attempt found. */
export type ExpiryOutcome = 'voided' | 'not_authorized' | 'not_due' | 'busy';

// A delayed job may fire a little before the database clock says the authorization expired.
const EXPIRY_EARLY_TOLERANCE_MS = 5000;

/**
 * The money movements — authorize, capture, void, refund and the expiry void — each an idempotent operation of the
 * {@link OperationRunner}: checks and reservations under row locks in a first transaction, the provider call
 * outside any transaction, then the result with its balanced ledger transaction in a second one.
 */
export class PaymentService {
  /** Payment methods (attach, list, and resolving what payment_authorize charges). */
  readonly methods: PaymentMethodService;
  /** The operation machinery; the reconciler resolves unattended operations through it. */
  readonly runner: OperationRunner;
  readonly #deps: PaymentServiceDeps;
  readonly #ids: IdGenerator;

  constructor(deps: PaymentServiceDeps) {
    if (!Number.isSafeInteger(deps.authorizationTtlMs) || deps.authorizationTtlMs < 1000) {
      throw new RangeError('PaymentService: authorizationTtlMs must be an integer >= 1000');
    }
    this.#deps = deps;
    this.#ids = deps.ids ?? newId;
    this.methods = new PaymentMethodService({ db: deps.db, provider: deps.provider, ids: this.#ids });
    this.runner = new OperationRunner({
      db: deps.db,
      steps: { authorize: this.#authorizeSteps(), capture: this.#captureSteps(), void: this.#voidSteps(), refund: this.#refundSteps() },
      lookup: (key, signal) => deps.provider.lookup(key, signal),
      logger: deps.logger,
      ids: this.#ids,
      leaseMs: deps.operationLeaseMs ?? 60_000,
    });
  }

  /** The limits in force. */
  get limits(): PaymentLimits {
    return this.#deps.limits;
  }

  /**
   * payment_authorize. The customer named must be one the caller reaches (FORBIDDEN otherwise); an attached method
   * must belong to that customer (NOT_FOUND otherwise), so a caller acting for one customer never charges another's
   * saved card.
   */
  async authorize(input: In<typeof paymentAuthorize>, caller: Caller): Promise<Out<typeof paymentAuthorize>> {
    requireCustomer(caller.reach, input.customer_id);
    const { limits } = this.#deps;
    if (input.amount > limits.maxAuthorizationMinor) throw perCallLimit('authorization', input.amount, limits.maxAuthorizationMinor, input.currency);
    const method = await this.methods.resolveForCharge(input.customer_id, input.payment_method, caller.signal);
    const { idempotency_key, ...args } = input;
    const response = await this.runner.run({
      kind: 'authorize',
      caller,
      idempotencyKey: idempotency_key,
      args,
      paymentId: this.#ids('pay'),
      amount: input.amount,
      currency: input.currency,
      params: {
        order_ref: input.order_ref,
        customer_id: input.customer_id,
        payment_method_id: method.id,
        provider_method_ref: method.provider_method_ref,
        brand: method.brand,
        last4: method.last4,
      },
      begin: (trx, op) => reserveDaily(trx, op, 'authorize', limits.dailyAuthorizationLimitMinor),
    });
    return response as Out<typeof paymentAuthorize>;
  }

  /** payment_capture. */
  async capture(input: In<typeof paymentCapture>, caller: Caller): Promise<Out<typeof paymentCapture>> {
    await this.#requireReachable(input.payment_id, caller);
    const { idempotency_key, ...args } = input;
    const response = await this.runner.run({
      kind: 'capture',
      caller,
      idempotencyKey: idempotency_key,
      args,
      paymentId: input.payment_id,
      begin: async (trx, op) => {
        const payments = new PaymentStore(trx, caller.signal);
        const payment = await lockPayment(payments, op.payment_id);
        if (input.currency !== undefined) requireCurrency(payment, input.currency);
        requireAuthorized(payment, 'captured');
        requireIdle(payment);
        const authorized = Number(payment.amount_authorized);
        const amount = input.amount ?? authorized;
        if (amount > authorized) {
          throw new AppError('PRECONDITION_FAILED', `Cannot capture ${amount}: payment ${payment.id} authorized only ${authorized} ${payment.currency} (minor units).`, {
            details: { amount_authorized: authorized, requested: amount, currency: payment.currency },
          });
        }
        await payments.setBusy(payment.id, op.id);
        return { amount, currency: payment.currency, params: { provider_charge_id: payment.provider_charge_id } };
      },
    });
    return response as Out<typeof paymentCapture>;
  }

  /** payment_void, of a payment id or of what the caller's payment_authorize with `authorization_key` authorized. */
  async void(input: In<typeof paymentVoid>, caller: Caller): Promise<Out<typeof paymentVoid>> {
    customerFilterFor(caller.reach); // a caller who reaches no customer is refused before a key is looked up or barred
    const { idempotency_key, ...args } = input;
    // Keys are per principal: authorization_key finds only what this same principal authorized with it.
    const paymentId =
      input.payment_id ?? (await authorizationByKey({ db: this.#deps.db, runner: this.runner, ids: this.#ids }, input.authorization_key as string, caller));
    await this.#requireReachable(paymentId, caller);
    return (await this.#void(paymentId, caller, idempotency_key, args, 'requested')) as Out<typeof paymentVoid>;
  }

  /**
   * Voids an authorization that reached its expiry (the delayed job and the reconciler call this). Idempotent with
   * capture and void: a payment that is no longer authorized, or not yet due, is left alone.
   */
  async expire(paymentId: string, signal?: AbortSignal): Promise<ExpiryOutcome> {
    try {
      await this.#void(paymentId, { principalId: EXPIRY_PRINCIPAL, reach: { kind: 'any' }, limitKey: EXPIRY_PRINCIPAL, signal }, `expire-${paymentId}`, { payment_id: paymentId, reason: 'expired' }, 'expired');
      return 'voided';
    } catch (error) {
      const reason = AppError.is(error) ? error.details?.['expiry'] : undefined;
      if (reason === 'not_authorized' || reason === 'not_due' || reason === 'busy') return reason;
      throw error;
    }
  }

  /**
   * payment_refund. A refund above the threshold asked for a person waits for that person's approval
   * (RefundApprovals): the first call refunds nothing and answers the approval; after it was approved the same call
   * refunds once, using the approval up in the transaction that records the refund. A dry run refunds nothing.
   */
  async refund(input: In<typeof paymentRefund>, caller: Caller): Promise<Out<typeof paymentRefund>> {
    await this.#requireReachable(input.payment_id, caller);
    const { limits, approvals } = this.#deps;
    const { idempotency_key, dry_run: _dryRun, ...args } = input;
    let approvalId: string | undefined;
    if (approvals.needed(caller, input.amount)) {
      const payment = await new PaymentStore(this.#deps.db, caller.signal).find(input.payment_id);
      if (payment === undefined) throw paymentNotFound(input.payment_id);
      // Only a refund that could be made is put to a person; a replay of a finished one skips straight to the run.
      const valid = isRefundable(payment, input, limits);
      if (valid || input.dry_run) {
        const refundable = checkRefund(payment, input, limits);
        const verdict = await approvals.verdict(this.#deps.db, caller, {
          paymentId: payment.id,
          amount: input.amount,
          currency: input.currency,
          reason: input.reason,
          idempotencyKey: idempotency_key,
          customerId: payment.customer_id,
          orderRef: payment.order_ref,
        });
        if (!verdict.proceed) {
          return {
            dry_run: input.dry_run,
            refund: null,
            payment: paymentView(payment),
            amount_refundable_after: refundable - input.amount,
            requires_approval: true,
            approval: approvals.required(verdict.state),
            replayed: false,
          };
        }
        approvalId = verdict.approvalId;
      }
    }
    if (input.dry_run) return this.#refundDryRun(input, caller);
    const response = await this.runner.run({
      kind: 'refund',
      caller,
      idempotencyKey: idempotency_key,
      args,
      paymentId: input.payment_id,
      refundId: this.#ids('re'),
      amount: input.amount,
      currency: input.currency,
      begin: async (trx, op) => {
        const payments = new PaymentStore(trx, caller.signal);
        const payment = await lockPayment(payments, op.payment_id);
        checkRefund(payment, input, limits);
        await approvals.consume(trx, caller, input.amount, approvalId);
        await reserveDaily(trx, op, 'refund', limits.dailyRefundLimitMinor);
        await payments.insertRefund({
          id: op.refund_id as string,
          payment_id: payment.id,
          amount: input.amount,
          currency: payment.currency,
          reason: input.reason,
          operation_id: op.id,
          created_by: op.principal_id,
        });
        await payments.addRefundPending(payment.id, input.amount);
        return { params: { provider_charge_id: payment.provider_charge_id, reason: input.reason, requires_approval: approvals.needed(caller, input.amount) } };
      },
    });
    return response as Out<typeof paymentRefund>;
  }

  /**
   * Refuses, before anything is claimed or sent to the provider, a payment the caller does not reach: FORBIDDEN for
   * a caller who reaches no customer, NOT_FOUND (as for a missing payment) for another customer's payment. A
   * payment's customer never changes, so checking before the claim is as good as checking under its lock.
   */
  async #requireReachable(paymentId: string, caller: Caller): Promise<void> {
    customerFilterFor(caller.reach);
    if (caller.reach.kind === 'any') return;
    const payment = await new PaymentStore(this.#deps.db, caller.signal).find(paymentId);
    if (payment === undefined || !reachesCustomer(caller.reach, payment.customer_id)) throw paymentNotFound(paymentId);
  }

  /** Finishes a pending operation nobody works on (see {@link OperationRunner.resolveUnattended}). */
  resolveUnattended(op: OperationRow, signal?: AbortSignal): Promise<Resolution> {
    return this.runner.resolveUnattended(op, signal);
  }

  async #refundDryRun(input: In<typeof paymentRefund>, caller: Caller): Promise<Out<typeof paymentRefund>> {
    const { limits, approvals } = this.#deps;
    const payment = await new PaymentStore(this.#deps.db, caller.signal).find(input.payment_id);
    if (payment === undefined) throw paymentNotFound(input.payment_id);
    const refundable = checkRefund(payment, input, limits);
    const used = await new LimitUsageStore(this.#deps.db, caller.signal).used({ limitKey: caller.limitKey, kind: 'refund', currency: payment.currency });
    if (used + input.amount > limits.dailyRefundLimitMinor) throw dailyLimit('refund', input.amount, used, limits.dailyRefundLimitMinor, payment.currency);
    return {
      dry_run: true,
      refund: null,
      payment: paymentView(payment),
      amount_refundable_after: refundable - input.amount,
      requires_approval: approvals.needed(caller, input.amount),
      replayed: false,
    };
  }

  #void(paymentId: string, caller: Caller, idempotencyKey: string, args: Record<string, unknown>, reason: 'requested' | 'expired') {
    return this.runner.run({
      kind: 'void',
      caller,
      idempotencyKey,
      args,
      paymentId,
      begin: async (trx, op) => {
        const payments = new PaymentStore(trx, caller.signal);
        const payment = await lockPayment(payments, op.payment_id);
        if (reason === 'expired') {
          if (payment.status !== 'authorized') throw expirySkipped('not_authorized');
          if ((payment.expires_at?.getTime() ?? 0) > Date.now() + EXPIRY_EARLY_TOLERANCE_MS) throw expirySkipped('not_due');
          if (payment.busy_operation_id !== null) throw expirySkipped('busy');
        }
        requireAuthorized(payment, 'voided');
        requireIdle(payment);
        await payments.setBusy(payment.id, op.id);
        return {
          amount: Number(payment.amount_authorized),
          currency: payment.currency,
          params: { provider_charge_id: payment.provider_charge_id, void_reason: reason },
        };
      },
    });
  }

  #authorizeSteps(): OperationSteps {
    const { provider } = this.#deps;
    return {
      call: (op, signal) => {
        const params = op.params as { order_ref: string; customer_id: string; provider_method_ref: string };
        return provider.authorize(
          {
            idempotencyKey: op.provider_key,
            paymentMethodRef: params.provider_method_ref,
            amount: Number(op.amount),
            currency: op.currency as string,
            metadata: { payment_id: op.payment_id, order_ref: params.order_ref, customer_id: params.customer_id },
          },
          signal,
        );
      },
      record: async (trx, op, result) => {
        const charge = asCharge(result);
        const params = op.params as { order_ref: string; customer_id: string; payment_method_id: string; brand: string; last4: string };
        const payment = await new PaymentStore(trx).insert(
          {
            id: op.payment_id,
            order_ref: params.order_ref,
            customer_id: params.customer_id,
            payment_method_id: params.payment_method_id,
            currency: charge.currency,
            status: 'authorized',
            amount_authorized: charge.amount,
            provider: provider.name,
            provider_charge_id: charge.id,
            created_by: op.principal_id,
            expires_at: sql<Date>`now() + make_interval(secs => ${this.#deps.authorizationTtlMs / 1000})`,
          },
          { brand: params.brand, last4: params.last4 },
        );
        await this.#post(trx, op, payment, { kind: 'authorization', authorized: charge.amount });
        return { payment: paymentView(payment), replayed: false };
      },
      release: (trx, op) => releaseDaily(trx, op, 'authorize'),
      afterRecord: async (op, response) => {
        const expiresAt = (response['payment'] as { expires_at: string | null }).expires_at;
        if (this.#deps.expiry !== undefined && expiresAt !== null) await this.#deps.expiry.schedule(op.payment_id, new Date(expiresAt));
      },
    };
  }

  #captureSteps(): OperationSteps {
    const { provider } = this.#deps;
    return {
      call: (op, signal) =>
        provider.capture({ idempotencyKey: op.provider_key, chargeId: providerChargeOf(op), amount: Number(op.amount) }, signal),
      record: async (trx, op, result) => {
        const charge = asCharge(result);
        const payments = new PaymentStore(trx);
        const payment = await lockPayment(payments, op.payment_id);
        requireOwnedBy(payment, op);
        const updated = await payments.update(payment, {
          status: 'captured',
          amount_captured: charge.amountCaptured,
          captured_at: sql<Date>`now()`,
          expires_at: null,
          busy_operation_id: null,
        });
        await this.#post(trx, op, updated, { kind: 'capture', authorized: Number(payment.amount_authorized), captured: charge.amountCaptured });
        return { payment: paymentView(updated), replayed: false };
      },
      release: async (trx, op) => new PaymentStore(trx).clearBusy(op.payment_id, op.id),
    };
  }

  #voidSteps(): OperationSteps {
    const { provider } = this.#deps;
    return {
      call: (op, signal) => provider.void({ idempotencyKey: op.provider_key, chargeId: providerChargeOf(op) }, signal),
      record: async (trx, op) => {
        const reason = (op.params as { void_reason: 'requested' | 'expired' }).void_reason;
        const payments = new PaymentStore(trx);
        const payment = await lockPayment(payments, op.payment_id);
        requireOwnedBy(payment, op);
        const updated = await payments.update(payment, {
          status: 'voided',
          void_reason: reason,
          voided_at: sql<Date>`now()`,
          expires_at: null,
          busy_operation_id: null,
        });
        await this.#post(trx, op, updated, { kind: reason === 'expired' ? 'expiry' : 'void', authorized: Number(payment.amount_authorized) });
        return { payment: paymentView(updated), replayed: false };
      },
      release: async (trx, op) => new PaymentStore(trx).clearBusy(op.payment_id, op.id),
    };
  }

  #refundSteps(): OperationSteps {
    const { provider } = this.#deps;
    return {
      call: (op, signal) =>
        provider.refund(
          { idempotencyKey: op.provider_key, chargeId: providerChargeOf(op), amount: Number(op.amount), reason: (op.params as { reason: string }).reason },
          signal,
        ),
      record: async (trx, op, result) => {
        const refund = asRefund(result);
        const payments = new PaymentStore(trx);
        const payment = await lockPayment(payments, op.payment_id);
        const amount = Number(op.amount);
        const refunded = Number(payment.amount_refunded) + amount;
        const updated = await payments.update(payment, {
          amount_refunded: refunded,
          amount_refund_pending: Number(payment.amount_refund_pending) - amount,
          status: refunded === Number(payment.amount_captured) ? 'refunded' : 'partially_refunded',
        });
        const refundRow = await payments.finishRefund(op.refund_id as string, { status: 'succeeded', providerRefundId: refund.id });
        await this.#post(trx, op, updated, { kind: 'refund', refunded: amount });
        const view = paymentView(updated);
        return {
          dry_run: false,
          refund: refundView(refundRow),
          payment: view,
          amount_refundable_after: view.amount_refundable,
          requires_approval: (op.params as { requires_approval?: boolean }).requires_approval === true,
          replayed: false,
        };
      },
      release: async (trx, op, outcome, failure) => {
        const payments = new PaymentStore(trx);
        await lockPayment(payments, op.payment_id);
        await payments.addRefundPending(op.payment_id, -Number(op.amount));
        if (outcome === 'abandoned') await payments.deleteRefund(op.refund_id as string);
        else await payments.finishRefund(op.refund_id as string, { status: 'failed', failureCode: failureCodeOf(failure) });
        await releaseDaily(trx, op, 'refund');
      },
    };
  }

  async #post(trx: Kysely<PaymentDatabase>, op: OperationRow, payment: PaymentRow, movement: Movement): Promise<void> {
    const { kind, postings } = postingsOf(movement);
    await new LedgerStore(trx).post({
      id: this.#ids('ltx'),
      paymentId: payment.id,
      kind,
      currency: payment.currency,
      operationId: op.id,
      refundId: op.refund_id,
      postings,
    });
  }
}

/** The NOT_FOUND of an unknown payment id, with what to do next. */
export function paymentNotFound(id: string): AppError {
  return new AppError('NOT_FOUND', `No payment ${id}. Find the payments of an order or customer with payment_search.`, { details: { payment_id: id } });
}

async function lockPayment(payments: PaymentStore, id: string): Promise<PaymentRow> {
  const payment = await payments.lock(id);
  if (payment === undefined) throw paymentNotFound(id);
  return payment;
}

function requireCurrency(payment: PaymentRow, currency: string): void {
  if (currency !== payment.currency) {
    throw new AppError(
      'VALIDATION_FAILED',
      `currency ${currency} does not match payment ${payment.id}, which is in ${payment.currency}; give the amount in ${payment.currency} minor units.`,
      { details: { issues: [{ path: 'currency', message: `must be ${payment.currency}` }], payment_currency: payment.currency } },
    );
  }
}

function requireAuthorized(payment: PaymentRow, verb: 'captured' | 'voided'): void {
  if (payment.status === 'authorized') return;
  const state = payment.status === 'voided' && payment.void_reason === 'expired' ? 'expired (voided automatically)' : payment.status;
  const next = verb === 'voided' && payment.status !== 'voided' ? ' Refund a captured payment with payment_refund instead.' : '';
  throw new AppError('PRECONDITION_FAILED', `Payment ${payment.id} is ${state}; only an authorized payment can be ${verb}.${next}`, {
    details: { status: payment.status, void_reason: payment.void_reason },
  });
}

function requireIdle(payment: PaymentRow): void {
  if (payment.busy_operation_id === null) return;
  throw new AppError('CONFLICT', `Another capture or void of payment ${payment.id} is in progress; retry in a few seconds.`, {
    retryable: true,
    details: { payment_id: payment.id },
  });
}

/** A capture or void records only over the busy marker it set itself: anything else is a broken invariant. */
function requireOwnedBy(payment: PaymentRow, op: OperationRow): void {
  if (payment.status !== 'authorized' || payment.busy_operation_id !== op.id) {
    throw new AppError('INTERNAL', `payment ${payment.id} changed under ${op.kind} operation ${op.id}`);
  }
}

/** The refund checks shared by the dry run and the real call; returns the refundable amount. */
function checkRefund(payment: PaymentRow, input: { amount: number; currency: string }, limits: PaymentLimits): number {
  requireCurrency(payment, input.currency);
  if (payment.status !== 'captured' && payment.status !== 'partially_refunded' && payment.status !== 'refunded') {
    throw new AppError(
      'PRECONDITION_FAILED',
      `Payment ${payment.id} is ${payment.status}; only captured money can be refunded.${payment.status === 'authorized' ? ' Release an uncaptured authorization with payment_void instead.' : ''}`,
      { details: { status: payment.status } },
    );
  }
  const refundable = Number(payment.amount_captured) - Number(payment.amount_refunded) - Number(payment.amount_refund_pending);
  if (input.amount > refundable) {
    throw new AppError(
      'PRECONDITION_FAILED',
      `Cannot refund ${input.amount}: only ${refundable} ${payment.currency} (minor units) of payment ${payment.id} is refundable${Number(payment.amount_refund_pending) > 0 ? ' now (other refunds are in progress)' : ''}.`,
      { details: { amount_refundable: refundable, requested: input.amount, currency: payment.currency } },
    );
  }
  if (input.amount > limits.maxRefundMinor) throw perCallLimit('refund', input.amount, limits.maxRefundMinor, payment.currency);
  return refundable;
}

/** Whether {@link checkRefund} would pass. */
function isRefundable(payment: PaymentRow, input: { amount: number; currency: string }, limits: PaymentLimits): boolean {
  try {
    checkRefund(payment, input, limits);
    return true;
  } catch {
    return false;
  }
}

/** Counts the operation's amount against its limit key's 24-hour limit (in the bucket the claim recorded). */
async function reserveDaily(trx: Kysely<PaymentDatabase>, op: OperationRow, kind: LimitedKind, limit: number): Promise<void> {
  const amount = Number(op.amount);
  const currency = op.currency as string;
  const { used, reserved } = await new LimitUsageStore(trx).reserve({ limitKey: limitKeyOfOperation(op), kind, currency }, amount, limit);
  if (!reserved) throw dailyLimit(kind, amount, used, limit, currency);
}

async function releaseDaily(trx: Kysely<PaymentDatabase>, op: OperationRow, kind: LimitedKind): Promise<void> {
  if (op.limit_bucket === null) return;
  await new LimitUsageStore(trx).release({ limitKey: limitKeyOfOperation(op), kind, currency: op.currency as string }, op.limit_bucket, Number(op.amount));
}

// Operations claimed before migration 0006 have no limit_key: they were counted under their principal.
function limitKeyOfOperation(op: OperationRow): string {
  return op.limit_key ?? op.principal_id;
}

function perCallLimit(what: 'authorization' | 'refund', requested: number, max: number, currency: string): AppError {
  return new AppError('LIMIT_EXCEEDED', `A single ${what} may be at most ${max} minor units; ${requested} ${currency} is above it. Do not retry as is.`, {
    details: { limit: `per_call_${what}`, max_minor: max, requested_minor: requested, currency },
  });
}

function dailyLimit(kind: LimitedKind, requested: number, used: number, limit: number, currency: string): AppError {
  const what = kind === 'authorize' ? 'authorization' : 'refund';
  const remaining = Math.max(0, limit - used);
  return new AppError(
    'LIMIT_EXCEEDED',
    `This ${what} of ${requested} ${currency} minor units would exceed your rolling 24-hour ${what} limit of ${limit} (used ${used}, ${remaining} left). Do not retry as is; a smaller amount or a later time may pass.`,
    { details: { limit: `daily_${what}`, limit_minor: limit, used_minor: used, remaining_minor: remaining, requested_minor: requested, currency, window_hours: 24 } },
  );
}

function expirySkipped(reason: Exclude<ExpiryOutcome, 'voided'>): AppError {
  return new AppError('PRECONDITION_FAILED', `authorization not expired-voidable: ${reason}`, { details: { expiry: reason } });
}

function providerChargeOf(op: OperationRow): string {
  return (op.params as { provider_charge_id: string }).provider_charge_id;
}

function asCharge(result: ProviderResult): ProviderCharge {
  if (result.object !== 'charge') throw new AppError('INTERNAL', 'the provider returned a refund where a charge was expected');
  return result;
}

function asRefund(result: ProviderResult): ProviderRefund {
  if (result.object !== 'refund') throw new AppError('INTERNAL', 'the provider returned a charge where a refund was expected');
  return result;
}

function failureCodeOf(failure: StoredFailure | undefined): string {
  const decline = failure?.details?.['decline_code'];
  return typeof decline === 'string' ? decline : (failure?.code.toLowerCase() ?? 'failed');
}
