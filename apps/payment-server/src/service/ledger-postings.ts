import type { LedgerAccount } from '@mcpfed/contract-payment';
import type { LedgerTransactionKind } from '../store/payment-database.ts';

/** One line of a ledger transaction. */
export interface Posting {
  readonly account: LedgerAccount;
  readonly direction: 'debit' | 'credit';
  /** Integer minor units, > 0. */
  readonly amount: number;
}

/** A money movement of one payment, as the ledger records it. */
export type Movement =
  | { readonly kind: 'authorization'; readonly authorized: number }
  | { readonly kind: 'capture'; readonly authorized: number; readonly captured: number }
  | { readonly kind: 'void' | 'expiry'; readonly authorized: number }
  | { readonly kind: 'refund'; readonly refunded: number };

/**
 * The postings of a movement (the accounts are documented in LEDGER_ACCOUNTS of the contract). Each result
 * balances — debits equal credits — which the database checks again at commit.
 */
export function postingsOf(movement: Movement): { kind: LedgerTransactionKind; postings: Posting[] } {
  switch (movement.kind) {
    case 'authorization':
      return { kind: 'authorization', postings: transfer('customer_funds_held', 'customer_authorizations', movement.authorized) };
    case 'capture':
      // The whole hold is released; only what was captured is recognised.
      return {
        kind: 'capture',
        postings: [
          ...transfer('customer_authorizations', 'customer_funds_held', movement.authorized),
          ...transfer('merchant_receivable', 'merchant_revenue', movement.captured),
        ],
      };
    case 'void':
    case 'expiry':
      return { kind: movement.kind, postings: transfer('customer_authorizations', 'customer_funds_held', movement.authorized) };
    case 'refund':
      return { kind: 'refund', postings: transfer('merchant_refunds', 'merchant_receivable', movement.refunded) };
  }
}

/** `amount` debited to one account and credited to another: the balanced pair every movement is made of. */
function transfer(debit: LedgerAccount, credit: LedgerAccount, amount: number): Posting[] {
  return [
    { account: debit, direction: 'debit', amount },
    { account: credit, direction: 'credit', amount },
  ];
}
