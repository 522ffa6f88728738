import type { ApprovalGate } from '@mcpfed/approvals';
import type { Kysely } from 'kysely';
import type { Logger } from '@mcpfed/telemetry';
import type { PaymentDatabase } from '../store/payment-database.ts';
import type { ExpiryScheduler } from './expiry-scheduler.ts';
import type { IdGenerator } from './new-id.ts';
import { checkPaymentLimits } from './payment-limits.ts';
import type { PaymentLimits, PaymentPolicy } from './payment-limits.ts';
import { PaymentQueryService } from './payment-query-service.ts';
import { PaymentService } from './payment-service.ts';
import type { PaymentProvider } from './provider/payment-provider.ts';
import { ReconciliationService } from './reconciliation-service.ts';
import { RefundApprovals } from './refund-approvals.ts';

/** Everything {@link createPaymentDomain} needs. */
export interface PaymentDomainOptions {
  /** The payment database (pool). */
  db: Kysely<PaymentDatabase>;
  provider: PaymentProvider;
  limits: PaymentLimits;
  /**
   * The approvals of large refunds (the server's approval pages decide them); default none: a refund that needs a
   * person's approval is refused (FORBIDDEN, details.approval `unavailable`).
   */
  approvalGate?: ApprovalGate;
  /** Client ids whose own tokens may refund above the approval threshold (REFUND_APPROVAL_EXEMPT_CLIENTS). Default `order-server`. */
  refundExemptClients?: readonly string[];
  /** How long an approval may wait and then be used, in milliseconds (what the policy resource tells). Default 900000. */
  approvalTtlMs?: number;
  /** Lifetime of an uncaptured authorization, in milliseconds. */
  authorizationTtlMs: number;
  /** Lease of a pending operation, in milliseconds (also when the sweep takes over). Default 60000. */
  operationLeaseMs?: number;
  /** Schedules expiry voids; default none (the sweep alone voids expired authorizations). */
  expiry?: ExpiryScheduler;
  logger: Logger;
  /** Id generator; default time-ordered random ids. */
  ids?: IdGenerator;
}

/** The payment domain's services, wired once (main.ts, the seed and the tests share this). */
export interface PaymentDomain {
  payments: PaymentService;
  queries: PaymentQueryService;
  reconciliation: ReconciliationService;
  policy: PaymentPolicy;
}

/** Builds the payment domain's services over one database and provider. */
export function createPaymentDomain(options: PaymentDomainOptions): PaymentDomain {
  const limits = checkPaymentLimits(options.limits);
  const approvals = new RefundApprovals({
    gate: options.approvalGate,
    thresholdMinor: limits.refundConfirmThresholdMinor,
    exemptClients: options.refundExemptClients ?? ['order-server'],
  });
  const leaseMs = options.operationLeaseMs ?? 60_000;
  const payments = new PaymentService({
    db: options.db,
    provider: options.provider,
    limits,
    approvals,
    authorizationTtlMs: options.authorizationTtlMs,
    operationLeaseMs: leaseMs,
    logger: options.logger,
    ...(options.expiry === undefined ? {} : { expiry: options.expiry }),
    ...(options.ids === undefined ? {} : { ids: options.ids }),
  });
  return {
    payments,
    queries: new PaymentQueryService({ db: options.db, limits }),
    reconciliation: new ReconciliationService({ db: options.db, provider: options.provider, payments, logger: options.logger, unattendedAfterMs: leaseMs }),
    policy: { limits, authorizationTtlMs: options.authorizationTtlMs, approvalTtlMs: options.approvalTtlMs ?? 900_000 },
  };
}
