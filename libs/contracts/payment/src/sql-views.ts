import { sqlRelationNames } from '@mcpfed/contract-common';
import type { SqlView, SqlViewColumn } from '@mcpfed/contract-common';

/** One column of a view payment_query_sql may read. */
export type PaymentSqlViewColumn = SqlViewColumn;

/** A relation payment_query_sql may read. None holds a card token or another secret. */
export type PaymentSqlView = SqlView;

/**
 * The allow-list of payment_query_sql, as data: the tool's description and the `schema://payment` resource are
 * generated from it, and the server's migrations create exactly these views.
 */
export const PAYMENT_SQL_VIEWS: readonly PaymentSqlView[] = Object.freeze([
  {
    name: 'analytics_payments',
    description: 'One row per payment (authorization); payment methods only as brand and last4.',
    columns: [
      { name: 'id', type: 'text', description: 'Payment id (pay_...).' },
      { name: 'order_ref', type: 'text', description: 'The order the payment is for.' },
      { name: 'customer_id', type: 'text', description: 'Customer id (cus_...).' },
      { name: 'currency', type: 'text', description: 'ISO 4217 currency of every amount of the row.' },
      { name: 'status', type: 'text', description: 'authorized | captured | partially_refunded | refunded | voided.' },
      { name: 'void_reason', type: 'text', description: 'requested | expired when voided, else null.' },
      { name: 'amount_authorized', type: 'bigint', description: 'Authorized amount, integer minor units.' },
      { name: 'amount_captured', type: 'bigint', description: 'Captured amount, integer minor units.' },
      { name: 'amount_refunded', type: 'bigint', description: 'Refunded amount, integer minor units.' },
      { name: 'payment_method_brand', type: 'text', description: 'visa | mastercard.' },
      { name: 'payment_method_last4', type: 'text', description: 'Last four digits of the card.' },
      { name: 'created_at', type: 'timestamp with time zone', description: 'When it was authorized.' },
      { name: 'captured_at', type: 'timestamp with time zone', description: 'When it was captured; null if not.' },
      { name: 'voided_at', type: 'timestamp with time zone', description: 'When it was voided; null if not.' },
    ],
  },
  {
    name: 'analytics_refunds',
    description: 'One row per refund.',
    columns: [
      { name: 'id', type: 'text', description: 'Refund id (re_...).' },
      { name: 'payment_id', type: 'text', description: 'Payment id (joins analytics_payments.id).' },
      { name: 'currency', type: 'text', description: 'ISO 4217 currency of amount.' },
      { name: 'amount', type: 'bigint', description: 'Refund amount, integer minor units.' },
      { name: 'reason', type: 'text', description: 'Reason code, e.g. requested_by_customer.' },
      { name: 'status', type: 'text', description: 'pending | succeeded | failed.' },
      { name: 'created_at', type: 'timestamp with time zone', description: 'When it was requested.' },
      { name: 'completed_at', type: 'timestamp with time zone', description: 'When it succeeded or failed; null while pending.' },
    ],
  },
  {
    name: 'analytics_ledger_entries',
    description: 'One row per ledger entry (double entry: the debits of a transaction_id equal its credits).',
    columns: [
      { name: 'transaction_id', type: 'text', description: 'Ledger transaction id (ltx_...).' },
      { name: 'payment_id', type: 'text', description: 'Payment the transaction belongs to.' },
      { name: 'kind', type: 'text', description: 'authorization | capture | void | expiry | refund.' },
      {
        name: 'account',
        type: 'text',
        description: 'customer_funds_held | customer_authorizations | merchant_receivable | merchant_revenue | merchant_refunds.',
      },
      { name: 'direction', type: 'text', description: 'debit | credit.' },
      { name: 'amount', type: 'bigint', description: 'Amount, integer minor units, always > 0.' },
      { name: 'currency', type: 'text', description: 'ISO 4217 currency of amount.' },
      { name: 'posted_at', type: 'timestamp with time zone', description: 'When the transaction was posted.' },
    ],
  },
  {
    name: 'analytics_payment_methods',
    description: 'One row per attached payment method, without its token.',
    columns: [
      { name: 'id', type: 'text', description: 'Payment method id (pm_...).' },
      { name: 'customer_id', type: 'text', description: 'Customer id (cus_...).' },
      { name: 'brand', type: 'text', description: 'visa | mastercard.' },
      { name: 'last4', type: 'text', description: 'Last four digits of the card.' },
      { name: 'created_at', type: 'timestamp with time zone', description: 'When it was attached.' },
    ],
  },
] satisfies PaymentSqlView[]);

/** The allow-listed relation names of payment_query_sql. */
export const PAYMENT_SQL_RELATIONS: readonly string[] = sqlRelationNames(PAYMENT_SQL_VIEWS);
