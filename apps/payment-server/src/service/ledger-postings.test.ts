import { describe, expect, it } from 'vitest';
import { LEDGER_ACCOUNTS } from '@mcpfed/contract-payment';
import { postingsOf } from './ledger-postings.ts';
import type { Movement } from './ledger-postings.ts';

const MOVEMENTS: Movement[] = [
  { kind: 'authorization', authorized: 1000 },
  { kind: 'capture', authorized: 1000, captured: 600 },
  { kind: 'void', authorized: 1000 },
  { kind: 'expiry', authorized: 1000 },
  { kind: 'refund', refunded: 250 },
];

describe('postingsOf', () => {
  it.each(MOVEMENTS.map((m) => [m.kind, m] as const))('%s balances with positive amounts on known accounts', (_kind, movement) => {
    const { postings } = postingsOf(movement);
    const side = (direction: 'debit' | 'credit') => postings.filter((p) => p.direction === direction).reduce((sum, p) => sum + p.amount, 0);
    expect(side('debit')).toBe(side('credit'));
    expect(postings.length).toBeGreaterThanOrEqual(2);
    for (const posting of postings) {
      expect(posting.amount).toBeGreaterThan(0);
      expect(LEDGER_ACCOUNTS).toContain(posting.account);
    }
  });

  it('releases the whole hold and recognises only what was captured', () => {
    expect(postingsOf({ kind: 'capture', authorized: 1000, captured: 600 })).toEqual({
      kind: 'capture',
      postings: [
        { account: 'customer_authorizations', direction: 'debit', amount: 1000 },
        { account: 'customer_funds_held', direction: 'credit', amount: 1000 },
        { account: 'merchant_receivable', direction: 'debit', amount: 600 },
        { account: 'merchant_revenue', direction: 'credit', amount: 600 },
      ],
    });
  });

  it('nets to zero held after authorize then void, and to captured - refunded receivable after capture and refund', () => {
    const balances = new Map<string, number>();
    for (const movement of [
      { kind: 'authorization', authorized: 800 },
      { kind: 'capture', authorized: 800, captured: 800 },
      { kind: 'refund', refunded: 300 },
    ] as Movement[]) {
      for (const p of postingsOf(movement).postings) balances.set(p.account, (balances.get(p.account) ?? 0) + (p.direction === 'debit' ? p.amount : -p.amount));
    }
    expect(Object.fromEntries(balances)).toEqual({
      customer_funds_held: 0,
      customer_authorizations: 0,
      merchant_receivable: 500,
      merchant_revenue: -800,
      merchant_refunds: 300,
    });
  });
});
