import type { Kysely } from 'kysely';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import type { paymentAuthorize, paymentCapture, paymentRefund, paymentVoid } from '@mcpfed/contract-payment';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { Logger } from '@mcpfed/telemetry';
import type { OperationRow } from '../store/operation-store.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { authorizePayment, authorizeSteps } from './authorize-payment.ts';
import { capturePayment, captureSteps } from './capture-payment.ts';
import { expireAuthorization } from './expire-authorization.ts';
import type { ExpiryScheduler } from './expiry-scheduler.ts';
import type { MovementDeps } from './movement-deps.ts';
import { newId } from './new-id.ts';
import type { IdGenerator } from './new-id.ts';
import { OperationRunner } from './operation-runner.ts';
import type { Resolution } from './operation-runner.ts';
import type { PaymentLimits } from './payment-limits.ts';
import { PaymentMethodService } from './payment-method-service.ts';
import type { PaymentProvider } from './provider/payment-provider.ts';
import { refundPayment, refundSteps } from './refund-payment.ts';
import type { RefundApprovals } from './refund-approvals.ts';
import { voidPayment, voidSteps } from './void-payment.ts';
import type { ExpiryOutcome } from './void-payment.ts';

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

/**
 * The money movements — authorize, capture, void, refund and the expiry void — each an idempotent operation of the
 * {@link OperationRunner}: checks and reservations under row locks in a first transaction, the provider call
 * outside any transaction, then the result with its balanced ledger transaction in a second one. Each movement
 * lives in its own module (authorize-payment.ts, capture-payment.ts, void-payment.ts, refund-payment.ts).
 */
export class PaymentService {
  /** Payment methods (attach, list, and resolving what payment_authorize charges). */
  readonly methods: PaymentMethodService;
  /** The operation machinery; the reconciler resolves unattended operations through it. */
  readonly runner: OperationRunner;
  readonly #movements: MovementDeps;

  constructor(deps: PaymentServiceDeps) {
    if (!Number.isSafeInteger(deps.authorizationTtlMs) || deps.authorizationTtlMs < 1000) {
      throw new RangeError('PaymentService: authorizationTtlMs must be an integer >= 1000');
    }
    const ids = deps.ids ?? newId;
    const steps = { provider: deps.provider, ids, authorizationTtlMs: deps.authorizationTtlMs, expiry: deps.expiry };
    this.methods = new PaymentMethodService({ db: deps.db, provider: deps.provider, ids });
    this.runner = new OperationRunner({
      db: deps.db,
      steps: { authorize: authorizeSteps(steps), capture: captureSteps(steps), void: voidSteps(steps), refund: refundSteps(steps) },
      lookup: (key, signal) => deps.provider.lookup(key, signal),
      logger: deps.logger,
      ids,
      leaseMs: deps.operationLeaseMs ?? 60_000,
    });
    this.#movements = Object.freeze({ ...steps, db: deps.db, limits: deps.limits, approvals: deps.approvals, methods: this.methods, runner: this.runner });
  }

  /** The limits in force. */
  get limits(): PaymentLimits {
    return this.#movements.limits;
  }

  /** payment_authorize (see {@link authorizePayment}). */
  authorize(
    input: ContractInput<typeof paymentAuthorize>,
    ctx: Pick<RequestContext, 'principal' | 'signal'>,
  ): Promise<ContractOutput<typeof paymentAuthorize>> {
    return authorizePayment(this.#movements, input, ctx);
  }

  /** payment_capture (see {@link capturePayment}). */
  capture(input: ContractInput<typeof paymentCapture>, ctx: Pick<RequestContext, 'principal' | 'signal'>): Promise<ContractOutput<typeof paymentCapture>> {
    return capturePayment(this.#movements, input, ctx);
  }

  /** payment_void (see {@link voidPayment}). */
  void(input: ContractInput<typeof paymentVoid>, ctx: Pick<RequestContext, 'principal' | 'signal'>): Promise<ContractOutput<typeof paymentVoid>> {
    return voidPayment(this.#movements, input, ctx);
  }

  /** payment_refund (see {@link refundPayment}). */
  refund(input: ContractInput<typeof paymentRefund>, ctx: Pick<RequestContext, 'principal' | 'signal'>): Promise<ContractOutput<typeof paymentRefund>> {
    return refundPayment(this.#movements, input, ctx);
  }

  /** Voids an expired authorization as `system:expiry`, whoever asks (see {@link expireAuthorization}). */
  expire(paymentId: string, ctx: Pick<RequestContext, 'signal'>): Promise<ExpiryOutcome> {
    return expireAuthorization(this.#movements, paymentId, ctx);
  }

  /** Finishes a pending operation nobody works on (see {@link OperationRunner.resolveUnattended}). */
  resolveUnattended(op: OperationRow, ctx: Pick<RequestContext, 'signal'>): Promise<Resolution> {
    return this.runner.resolveUnattended(op, ctx);
  }
}
