import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  LEDGER_ACCOUNTS,
  LEDGER_NORMAL_BALANCE,
  PAYMENT_SQL_VIEWS,
  paymentAuthorize,
  paymentCapture,
  paymentContract,
  paymentReconcile,
  paymentRefund,
  paymentSearch,
} from './index.ts';

const CUS = 'cus_01j9z3k8q4m2n6p7r8s9t0v1w2';
const PAY = 'pay_01j9z3k8q4m2n6p7r8s9t0v1w2';
const KEY = 'key-0001-abcdef';

describe('payment contract', () => {
  it('lists every tool once, all in the payment domain, money movers with a required key and no runtime transaction hint', () => {
    const names = paymentContract.tools.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.every((n) => n.startsWith('payment_'))).toBe(true);
    expect(names).toHaveLength(12);
    const required = paymentContract.tools
      .filter((t) => t.idempotency === 'required')
      .map((t) => t.name)
      .sort();
    expect(required).toEqual(['payment_authorize', 'payment_capture', 'payment_refund', 'payment_void']);
  });

  it('takes amounts as positive integer minor units in a supported currency', () => {
    const base = { order_ref: 'ord_1', customer_id: CUS, amount: 1999, currency: 'EUR', payment_method: 'pm_card_visa', idempotency_key: KEY };
    expect(paymentAuthorize.input.safeParse(base).success).toBe(true);
    expect(paymentAuthorize.input.safeParse({ ...base, amount: 19.99 }).success).toBe(false);
    expect(paymentAuthorize.input.safeParse({ ...base, amount: 0 }).success).toBe(false);
    expect(paymentAuthorize.input.safeParse({ ...base, amount: -5 }).success).toBe(false);
    expect(paymentAuthorize.input.safeParse({ ...base, currency: 'eur' }).success).toBe(false);
    expect(paymentAuthorize.input.safeParse({ ...base, currency: 'XYZ' }).success).toBe(false);
    expect(paymentAuthorize.input.safeParse({ ...base, payment_method: 'pm_01j9z3k8q4m2n6p7r8s9t0v1w2' }).success).toBe(true);
    expect(paymentAuthorize.input.safeParse({ ...base, payment_method: 'card 4242' }).success).toBe(false);
    expect(paymentAuthorize.input.safeParse({ ...base, idempotency_key: undefined }).success).toBe(false);
  });

  it('needs a currency with a partial capture amount', () => {
    expect(paymentCapture.input.safeParse({ payment_id: PAY, idempotency_key: KEY }).success).toBe(true);
    expect(paymentCapture.input.safeParse({ payment_id: PAY, amount: 500, idempotency_key: KEY }).success).toBe(false);
    expect(paymentCapture.input.safeParse({ payment_id: PAY, amount: 500, currency: 'EUR', idempotency_key: KEY }).success).toBe(true);
  });

  it('defaults refund dry_run to false and search sort to newest first', () => {
    const refund = paymentRefund.input.parse({ payment_id: PAY, amount: 100, currency: 'EUR', reason: 'duplicate', idempotency_key: KEY });
    expect(refund.dry_run).toBe(false);
    expect(paymentSearch.input.parse({}).sort).toBe('created_at_desc');
  });

  it('reconciles either an order or a window', () => {
    expect(paymentReconcile.input.safeParse({ order_ref: 'ord_1' }).success).toBe(true);
    expect(paymentReconcile.input.safeParse({ from: '2025-01-01T00:00:00Z' }).success).toBe(true);
    expect(paymentReconcile.input.safeParse({}).success).toBe(false);
    expect(paymentReconcile.input.safeParse({ order_ref: 'ord_1', from: '2025-01-01T00:00:00Z' }).success).toBe(false);
    expect(paymentReconcile.input.safeParse({ order_ref: 'ord_1', to: '2025-01-01T00:00:00Z' }).success).toBe(false);
  });

  it('names a normal balance for every ledger account and no SQL view column holds a token', () => {
    expect(Object.keys(LEDGER_NORMAL_BALANCE).sort()).toEqual([...LEDGER_ACCOUNTS].sort());
    const columns = PAYMENT_SQL_VIEWS.flatMap((v) => v.columns.map((c) => c.name));
    expect(columns.join(' ')).not.toMatch(/token|secret|provider_key/);
  });

  it('produces JSON Schema for every tool', () => {
    for (const tool of paymentContract.tools) {
      expect(z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' })).toMatchObject({ type: 'object', additionalProperties: false });
    }
  });
});
