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
  const release = (amount: number): Posting[] => [
    { account: 'customer_authorizations', direction: 'debit', amount },
    { account: 'customer_funds_held', direction: 'credit', amount },
  ];
  switch (movement.kind) {
    case 'authorization':
      return {
        kind: 'authorization',
        postings: [
          { account: 'customer_funds_held', direction: 'debit', amount: movement.authorized },
          { account: 'customer_authorizations', direction: 'credit', amount: movement.authorized },
        ],
      };
    case 'capture':
      return {
        kind: 'capture',
        postings: [
          ...release(movement.authorized),
          { account: 'merchant_receivable', direction: 'debit', amount: movement.captured },
          { account: 'merchant_revenue', direction: 'credit', amount: movement.captured },
        ],
      };
    case 'void':
    case 'expiry':
      return { kind: movement.kind, postings: release(movement.authorized) };
    case 'refund':
      return {
        kind: 'refund',
        postings: [
          { account: 'merchant_refunds', direction: 'debit', amount: movement.refunded },
          { account: 'merchant_receivable', direction: 'credit', amount: movement.refunded },
        ],
      };
  }
}
