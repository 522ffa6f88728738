import type { DomainContract } from '@mcpfed/contract-common';
import { paymentAuthorize } from './payment-authorize.ts';
import { paymentBalanceSummary } from './payment-balance-summary.ts';
import { paymentCapture } from './payment-capture.ts';
import { paymentGet } from './payment-get.ts';
import { paymentMethodAttach } from './payment-method-attach.ts';
import { paymentMethodList } from './payment-method-list.ts';
import { paymentQuerySql } from './payment-query-sql.ts';
import { paymentReconcile } from './payment-reconcile.ts';
import { paymentRefund } from './payment-refund.ts';
import { paymentRefundable } from './payment-refundable.ts';
import { paymentSearch } from './payment-search.ts';
import { paymentVoid } from './payment-void.ts';
import { paymentRefundReview } from './prompts.ts';
import { paymentLimitsResource, paymentResource, paymentSchemaResource } from './resources.ts';

export {
  paymentAuthorize,
  paymentBalanceSummary,
  paymentCapture,
  paymentGet,
  paymentMethodAttach,
  paymentMethodList,
  paymentQuerySql,
  paymentReconcile,
  paymentRefund,
  paymentRefundable,
  paymentSearch,
  paymentVoid,
  paymentRefundReview,
  paymentLimitsResource,
  paymentResource,
  paymentSchemaResource,
};
export { LEDGER_ACCOUNTS, LEDGER_NORMAL_BALANCE } from './ledger-accounts.ts';
export type { LedgerAccount } from './ledger-accounts.ts';
export { DRIFT_FIELDS, DRIFT_KINDS, MAX_RECONCILE_WINDOW_DAYS } from './payment-reconcile.ts';
export { PAYMENT_SEARCH_SORTS } from './payment-search.ts';
export { MAX_PAYMENT_SQL_ROWS } from './payment-query-sql.ts';
export { PAYMENT_SQL_RELATIONS, PAYMENT_SQL_VIEWS } from './sql-views.ts';
export type { PaymentSqlView, PaymentSqlViewColumn } from './sql-views.ts';
export {
  CARD_BRANDS,
  CURRENCY_MINOR_DIGITS,
  MAX_AMOUNT_MINOR,
  PAYMENT_STATUSES,
  REFUND_REASONS,
  REFUND_STATUSES,
  SANDBOX_PAYMENT_METHOD_TOKENS,
  SUPPORTED_CURRENCIES,
  VOID_REASONS,
  amountMinorSchema,
  currencyCodeSchema,
  orderRefSchema,
  payingCustomerIdSchema,
  paymentDetailSchema,
  paymentIdSchema,
  paymentMethodIdSchema,
  paymentMethodRefSchema,
  paymentMethodSchema,
  paymentSchema,
  refundIdSchema,
  refundSchema,
  reportedAmountSchema,
  timestampSchema,
} from './schemas.ts';
export type { CardBrand, Currency, PaymentStatus, RefundReason, RefundStatus, VoidReason } from './schemas.ts';

/** Everything the payment domain offers, for registration, the router's catalog checks and the contract tests. */
export const paymentContract: DomainContract = Object.freeze({
  domain: 'payment',
  tools: [
    paymentMethodAttach,
    paymentMethodList,
    paymentAuthorize,
    paymentCapture,
    paymentVoid,
    paymentGet,
    paymentSearch,
    paymentRefundable,
    paymentRefund,
    paymentReconcile,
    paymentBalanceSummary,
    paymentQuerySql,
  ],
  resources: [paymentResource, paymentLimitsResource, paymentSchemaResource],
  prompts: [paymentRefundReview],
});
