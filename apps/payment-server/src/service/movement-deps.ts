import type { Kysely } from 'kysely';
import type { PaymentDatabase } from '../store/payment-database.ts';
import type { ExpiryScheduler } from './expiry-scheduler.ts';
import type { IdGenerator } from './new-id.ts';
import type { OperationRunner } from './operation-runner.ts';
import type { PaymentLimits } from './payment-limits.ts';
import type { PaymentMethodService } from './payment-method-service.ts';
import type { PaymentProvider } from './provider/payment-provider.ts';
import type { RefundApprovals } from './refund-approvals.ts';

/** What the money movements (authorize, capture, void, refund) share; PaymentService wires it once. */
export interface MovementDeps {
  readonly db: Kysely<PaymentDatabase>;
  readonly provider: PaymentProvider;
  readonly limits: PaymentLimits;
  /** Which refunds wait for a person's approval. */
  readonly approvals: RefundApprovals;
  readonly ids: IdGenerator;
  /** How long an uncaptured authorization lives before it is voided, in milliseconds. */
  readonly authorizationTtlMs: number;
  /** Schedules the expiry void of a new authorization; undefined: the sweep alone voids expired ones. */
  readonly expiry: ExpiryScheduler | undefined;
  /** Payment methods (what payment_authorize charges). */
  readonly methods: PaymentMethodService;
  /** Runs each movement as an idempotent operation. */
  readonly runner: OperationRunner;
}
