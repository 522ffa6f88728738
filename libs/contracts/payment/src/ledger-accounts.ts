/**
 * The accounts of the payment ledger (one set per currency). What each movement posts:
 * - authorize A: debit customer_funds_held A, credit customer_authorizations A
 * - capture C of A: debit customer_authorizations A, credit customer_funds_held A (the hold ends);
 *   debit merchant_receivable C, credit merchant_revenue C
 * - void / expiry of A: debit customer_authorizations A, credit customer_funds_held A
 * - refund R: debit merchant_refunds R, credit merchant_receivable R
 */
export const LEDGER_ACCOUNTS = ['customer_funds_held', 'customer_authorizations', 'merchant_receivable', 'merchant_revenue', 'merchant_refunds'] as const;

/** A ledger account. */
export type LedgerAccount = (typeof LEDGER_ACCOUNTS)[number];

/** The side on which each account's balance grows. */
export const LEDGER_NORMAL_BALANCE: Readonly<Record<LedgerAccount, 'debit' | 'credit'>> = Object.freeze({
  customer_funds_held: 'debit',
  customer_authorizations: 'credit',
  merchant_receivable: 'debit',
  merchant_revenue: 'credit',
  merchant_refunds: 'debit',
});
