import { customerFilterFor, customerReachOf, requireAnyCustomer } from '@mcpfed/auth';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';
import { AppError } from '@mcpfed/errors';
import { LEDGER_NORMAL_BALANCE } from '@mcpfed/contract-payment';
import type { LedgerAccount, paymentBalanceSummary, paymentDetailSchema, paymentGet, paymentRefundable, paymentSearch } from '@mcpfed/contract-payment';
import { LedgerStore } from '../store/ledger-store.ts';
import { LimitUsageStore } from '../store/limit-usage-store.ts';
import type { PaymentDatabase } from '../store/payment-database.ts';
import { PaymentStore } from '../store/payment-store.ts';
import { rateLimitKeyOf } from '@mcpfed/mcp-runtime';
import type { RequestContext } from '@mcpfed/mcp-runtime';
import type { PaymentLimits } from './payment-limits.ts';
import { paymentView, refundView } from './payment-view.ts';
import { reachablePayment } from './reachable-payment.ts';
import { checkTimeWindow } from './time-window.ts';

type QueryContext = Pick<RequestContext, 'principal' | 'signal'>;
type BalanceSummary = ContractOutput<typeof paymentBalanceSummary>;

/** The wire shape of a payment with its refunds. */
export type PaymentDetailOutput = z.input<typeof paymentDetailSchema>;

const DAY_MS = 86_400_000;
const MAX_SUMMARY_DAYS = 366;
const REFUNDS_SHOWN = 50;

/** Collaborators of the {@link PaymentQueryService}. */
export interface PaymentQueryServiceDeps {
  db: Kysely<PaymentDatabase>;
  limits: PaymentLimits;
}

/** The read side: one payment, searches, what is refundable, and totals. */
export class PaymentQueryService {
  readonly #deps: PaymentQueryServiceDeps;

  constructor(deps: PaymentQueryServiceDeps) {
    this.#deps = deps;
  }

  /** payment_get. */
  async get(input: ContractInput<typeof paymentGet>, ctx: QueryContext): Promise<ContractOutput<typeof paymentGet>> {
    return this.detail(input.payment_id, ctx);
  }

  /** A payment with its latest refunds (payment_get, the payment:// resource, the refund review prompt). */
  async detail(id: string, ctx: QueryContext): Promise<PaymentDetailOutput> {
    const payment = await reachablePayment(this.#deps.db, id, ctx);
    const refunds = await new PaymentStore(this.#deps.db, ctx.signal).refunds(id, REFUNDS_SHOWN);
    return { ...paymentView(payment), refunds: refunds.rows.map(refundView), refund_count: refunds.count };
  }

  /** payment_search. */
  async search(input: ContractInput<typeof paymentSearch>, ctx: QueryContext): Promise<ContractOutput<typeof paymentSearch>> {
    const filter = input.filter ?? {};
    const customerId = customerFilterFor(customerReachOf(ctx.principal), filter.customer_id);
    const createdFrom = filter.created_from === undefined ? undefined : new Date(filter.created_from);
    const createdTo = filter.created_to === undefined ? undefined : new Date(filter.created_to);
    if (createdFrom !== undefined && createdTo !== undefined && createdFrom >= createdTo) {
      throw new AppError('VALIDATION_FAILED', 'filter.created_from must be before filter.created_to.', {
        details: { issues: [{ path: 'filter.created_from', message: 'must be before created_to' }] },
      });
    }
    const page = await new PaymentStore(this.#deps.db, ctx.signal).search({
      orderRef: filter.order_ref,
      customerId,
      status: filter.status,
      currency: filter.currency,
      createdFrom,
      createdTo,
      sort: input.sort,
      limit: input.limit,
      cursor: input.cursor,
    });
    return { items: page.rows.map(paymentView), next_cursor: page.nextCursor };
  }

  /** payment_refundable: what the payment allows, narrowed by the caller's limits. */
  async refundable(input: ContractInput<typeof paymentRefundable>, ctx: QueryContext): Promise<ContractOutput<typeof paymentRefundable>> {
    const { limits } = this.#deps;
    const payment = await reachablePayment(this.#deps.db, input.payment_id, ctx);
    const view = paymentView(payment);
    const used = await new LimitUsageStore(this.#deps.db, ctx.signal).used({
      limitKey: rateLimitKeyOf(ctx.principal),
      kind: 'refund',
      currency: payment.currency,
    });
    const dailyLeft = Math.max(0, limits.dailyRefundLimitMinor - used);
    const captured = view.status === 'captured' || view.status === 'partially_refunded' || view.status === 'refunded';
    const maxNow = captured ? Math.min(view.amount_refundable, limits.maxRefundMinor, dailyLeft) : 0;
    const reason =
      view.status === 'authorized'
        ? 'not_captured'
        : view.status === 'voided'
          ? 'voided'
          : view.amount_refundable === 0
            ? view.amount_refund_pending > 0
              ? 'refunds_pending'
              : 'fully_refunded'
            : dailyLeft === 0
              ? 'daily_limit_reached'
              : null;
    return {
      payment_id: view.id,
      currency: view.currency,
      status: view.status,
      amount_captured: view.amount_captured,
      amount_refunded: view.amount_refunded,
      amount_refund_pending: view.amount_refund_pending,
      amount_refundable: view.amount_refundable,
      refundable: maxNow > 0,
      not_refundable_reason: reason,
      confirmation_threshold: limits.refundConfirmThresholdMinor,
      max_refund_per_call: limits.maxRefundMinor,
      daily_refund_limit: limits.dailyRefundLimitMinor,
      daily_refund_used: used,
      max_refund_now: maxNow,
    };
  }

  /** payment_balance_summary. */
  async balanceSummary(input: ContractInput<typeof paymentBalanceSummary>, ctx: QueryContext): Promise<BalanceSummary> {
    requireAnyCustomer(customerReachOf(ctx.principal), 'payment_balance_summary');
    const to = input.to === undefined ? new Date() : new Date(input.to);
    const from = input.from === undefined ? new Date(to.getTime() - DAY_MS) : new Date(input.from);
    checkTimeWindow(from, to, MAX_SUMMARY_DAYS, 'The window');
    const [totals, accounts] = await Promise.all([
      new PaymentStore(this.#deps.db, ctx.signal).totals(from, to, input.currency),
      new LedgerStore(this.#deps.db, ctx.signal).accountTotals(from, to, input.currency),
    ]);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      by_status: totals.map((row) => ({
        currency: row.currency as BalanceSummary['by_status'][number]['currency'],
        status: row.status,
        count: Number(row.count),
        amount_authorized: Number(row.authorized),
        amount_captured: Number(row.captured),
        amount_refunded: Number(row.refunded),
      })),
      ledger: accounts.map((row) => {
        const account = row.account as LedgerAccount;
        const normal = LEDGER_NORMAL_BALANCE[account];
        const debits = Number(row.debits);
        const credits = Number(row.credits);
        return {
          currency: row.currency as BalanceSummary['ledger'][number]['currency'],
          account,
          debits,
          credits,
          normal_balance: normal,
          balance: normal === 'debit' ? debits - credits : credits - debits,
        };
      }),
    };
  }
}
