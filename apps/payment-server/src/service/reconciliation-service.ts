import { customerReachOf, requireAnyCustomer } from '@mcpfed/auth';
import type { Kysely } from 'kysely';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import { MAX_RECONCILE_WINDOW_DAYS } from '@mcpfed/contract-payment';
import type { paymentReconcile } from '@mcpfed/contract-payment';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { Logger } from '@mcpfed/telemetry';
import type { ChargeFilter, PaymentProvider, ProviderCharge, ProviderChargeStatus } from './provider/payment-provider.ts';
import { LedgerStore } from '../store/ledger-store.ts';
import type { LedgerPaymentSums } from '../store/ledger-store.ts';
import { LimitUsageStore } from '../store/limit-usage-store.ts';
import { OperationStore } from '../store/operation-store.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { PaymentStore } from '../store/payment-store.ts';
import type { PaymentRow } from '../store/payment-store.ts';
import type { Resolution } from './operation-runner.ts';
import type { PaymentService } from './payment-service.ts';
import { checkTimeWindow } from './time-window.ts';
import type { ExpiryOutcome } from './void-payment.ts';

type Drift = ContractOutput<typeof paymentReconcile>['drift'][number];

/** Collaborators and settings of the {@link ReconciliationService}. */
export interface ReconciliationServiceDeps {
  db: Kysely<PaymentDatabase>;
  provider: PaymentProvider;
  payments: PaymentService;
  logger: Logger;
  /**
   * A pending operation is the sweep's business only when it is at least this old and nobody holds its lease, in
   * milliseconds; younger ones are left to their caller's retry. Default 60000.
   */
  unattendedAfterMs?: number;
  /** Operations and expired authorizations handled per sweep, each. Default 100. */
  batchSize?: number;
}

/** What one sweep did. */
export interface SweepReport {
  operations: Record<Resolution | 'error', number>;
  expirations: Record<ExpiryOutcome | 'error', number>;
}

const MAX_CHECKED = 1000;
const FIELDS = ['authorized', 'captured', 'refunded', 'held'] as const;

/**
 * Keeps the books honest. `reconcile` compares, per payment, the ledger, the local record and the provider's
 * charge and reports every difference (payment_reconcile). `sweep` (run on an interval by main.ts) finishes money
 * movements left pending by a crash, a provider timeout or a failed local write — asking the provider what it did
 * — and voids expired authorizations whose delayed job was lost.
 */
export class ReconciliationService {
  readonly #deps: ReconciliationServiceDeps;
  readonly #unattendedAfterMs: number;
  readonly #batchSize: number;

  constructor(deps: ReconciliationServiceDeps) {
    this.#deps = deps;
    this.#unattendedAfterMs = deps.unattendedAfterMs ?? 60_000;
    this.#batchSize = deps.batchSize ?? 100;
  }

  /** payment_reconcile. */
  async reconcile(
    input: ContractInput<typeof paymentReconcile>,
    ctx: Pick<RequestContext, 'principal' | 'signal'>,
  ): Promise<ContractOutput<typeof paymentReconcile>> {
    requireAnyCustomer(customerReachOf(ctx.principal), 'payment_reconcile');
    const { provider } = this.#deps;
    const { signal } = ctx;
    const scope = this.#scope(input);
    const store = new PaymentStore(this.#deps.db, signal);
    let payments = await store.inScope('orderRef' in scope ? { orderRef: scope.orderRef } : scope, MAX_CHECKED + 1);
    let truncated = payments.length > MAX_CHECKED;
    payments = payments.slice(0, MAX_CHECKED);
    const filter: ChargeFilter =
      'orderRef' in scope ? { orderRef: scope.orderRef, limit: MAX_CHECKED + 1 } : { createdFrom: scope.from, createdTo: scope.to, limit: MAX_CHECKED + 1 };
    const listed = await provider.listCharges(filter, signal);
    truncated ||= listed.length > MAX_CHECKED;
    const charges = new Map(
      listed
        .slice(0, MAX_CHECKED)
        .filter((charge) => charge.status !== 'declined')
        .map((charge) => [charge.id, charge]),
    );

    // Records just across a window edge (the provider acted a moment before the local write) are matched by id.
    const known = new Set(payments.map((payment) => payment.provider_charge_id));
    const unmatched = [...charges.keys()].filter((id) => !known.has(id));
    payments = [...payments, ...(await store.findByCharges(provider.name, unmatched))];
    const missing = payments.filter((payment) => !charges.has(payment.provider_charge_id)).map((payment) => payment.provider_charge_id);
    for (const charge of await provider.getCharges(missing, signal)) charges.set(charge.id, charge);

    const ledger = await new LedgerStore(this.#deps.db, signal).sumsByPayment(payments.map((payment) => payment.id));
    const drift: Drift[] = [];
    const matched = new Set<string>();
    for (const payment of payments) {
      const charge = charges.get(payment.provider_charge_id);
      if (charge !== undefined) matched.add(charge.id);
      drift.push(...compare(payment, ledger.get(payment.id), charge));
    }
    for (const charge of charges.values()) {
      if (matched.has(charge.id)) continue;
      drift.push({
        kind: 'missing_locally',
        payment_id: charge.metadata['payment_id'] ?? null,
        provider_charge_id: charge.id,
        field: null,
        ledger: null,
        local: null,
        provider: charge.amount,
        message: `The provider has a ${charge.status} charge of ${charge.amount} ${charge.currency} that no local payment records.`,
      });
    }
    const paymentIds = new Set([
      ...payments.map((p) => p.id),
      ...[...charges.values()].flatMap((c) => (c.metadata['payment_id'] ? [c.metadata['payment_id']] : [])),
    ]);
    const pending = await new OperationStore(this.#deps.db, signal).countPending([...paymentIds]);
    return {
      scope: {
        order_ref: 'orderRef' in scope ? scope.orderRef : null,
        from: 'from' in scope ? scope.from.toISOString() : null,
        to: 'to' in scope ? scope.to.toISOString() : null,
      },
      payments_checked: payments.length,
      provider_charges_checked: charges.size,
      in_sync: drift.length === 0,
      drift,
      pending_operations: pending,
      truncated,
    };
  }

  /**
   * Finishes unattended pending operations and voids expired authorizations (as `system:expiry`); one batch of
   * each. `ctx` is the sweep's job context: aborting it stops the sweep between queries.
   */
  async sweep(ctx: Pick<RequestContext, 'signal'>): Promise<SweepReport> {
    const { signal } = ctx;
    const { payments, logger } = this.#deps;
    const report: SweepReport = {
      operations: { recorded: 0, failed: 0, abandoned: 0, busy: 0, unresolved: 0, error: 0 },
      expirations: { voided: 0, not_authorized: 0, not_due: 0, busy: 0, error: 0 },
    };
    for (const op of await new OperationStore(this.#deps.db, signal).unattended(this.#unattendedAfterMs, this.#batchSize)) {
      try {
        report.operations[await payments.resolveUnattended(op, ctx)] += 1;
      } catch (error) {
        report.operations.error += 1;
        logger.warn({ err: error, operation_id: op.id, kind: op.kind }, 'could not resolve a pending payment operation; the next sweep tries again');
      }
    }
    for (const id of await new PaymentStore(this.#deps.db, signal).expiredAuthorizations(this.#batchSize)) {
      try {
        report.expirations[await payments.expire(id, ctx)] += 1;
      } catch (error) {
        report.expirations.error += 1;
        logger.warn({ err: error, payment_id: id }, 'could not void an expired authorization; the next sweep tries again');
      }
    }
    await new LimitUsageStore(this.#deps.db, signal).purgeOld();
    return report;
  }

  #scope(input: ContractInput<typeof paymentReconcile>): { orderRef: string } | { from: Date; to: Date } {
    if (input.order_ref !== undefined) return { orderRef: input.order_ref };
    const from = new Date(input.from as string);
    const to = input.to === undefined ? new Date() : new Date(input.to);
    checkTimeWindow(from, to, MAX_RECONCILE_WINDOW_DAYS, 'A reconcile window');
    return { from, to };
  }
}

/** The provider status a local status corresponds to. */
function providerStatusOf(status: PaymentRow['status']): ProviderChargeStatus {
  return status === 'authorized' || status === 'voided' ? status : 'captured';
}

function compare(payment: PaymentRow, ledgerSums: LedgerPaymentSums | undefined, charge: ProviderCharge | undefined): Drift[] {
  const drift: Drift[] = [];
  const ids = { payment_id: payment.id, provider_charge_id: payment.provider_charge_id };
  const authorized = Number(payment.amount_authorized);
  const local = {
    authorized,
    captured: Number(payment.amount_captured),
    refunded: Number(payment.amount_refunded),
    held: payment.status === 'authorized' ? authorized : 0,
  };
  const ledger = ledgerSums ?? { authorized: 0, captured: 0, refunded: 0, held: 0 };
  const remote =
    charge === undefined
      ? undefined
      : {
          authorized: charge.amount,
          captured: charge.amountCaptured,
          refunded: charge.amountRefunded,
          held: charge.status === 'authorized' ? charge.amount : 0,
        };
  if (charge === undefined) {
    drift.push({
      kind: 'missing_at_provider',
      ...ids,
      field: null,
      ledger: null,
      local: authorized,
      provider: null,
      message: `Payment ${payment.id} has no charge ${payment.provider_charge_id} at the provider.`,
    });
  }
  for (const field of FIELDS) {
    const theirs = remote?.[field];
    if (ledger[field] === local[field] && (theirs === undefined || theirs === local[field])) continue;
    drift.push({
      kind: 'amount_mismatch',
      ...ids,
      field,
      ledger: ledger[field],
      local: local[field],
      provider: theirs ?? null,
      message: `${field} of payment ${payment.id} differs: ledger ${ledger[field]}, local ${local[field]}, provider ${theirs ?? 'n/a'} (${payment.currency} minor units).`,
    });
  }
  if (charge !== undefined && providerStatusOf(payment.status) !== charge.status) {
    drift.push({
      kind: 'status_mismatch',
      ...ids,
      field: null,
      ledger: null,
      local: payment.status,
      provider: charge.status,
      message: `Payment ${payment.id} is ${payment.status} locally but ${charge.status} at the provider.`,
    });
  }
  if (charge !== undefined && charge.currency !== payment.currency) {
    drift.push({
      kind: 'currency_mismatch',
      ...ids,
      field: null,
      ledger: null,
      local: payment.currency,
      provider: charge.currency,
      message: `Payment ${payment.id} is in ${payment.currency} locally but ${charge.currency} at the provider.`,
    });
  }
  return drift;
}
