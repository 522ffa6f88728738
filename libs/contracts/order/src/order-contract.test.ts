import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ORDER_SQL_VIEWS, orderCancel, orderContract, orderGet, orderPlace, orderRefund } from './index.ts';

const CUS = 'cus_01j9z3k8q4m2n6p7r8s9t0v1w2';
const ORD = 'ord_01j9z3k8q4m2n6p7r8s9t0v1w2';
const KEY = 'key-0001-abcdef';

describe('order contract', () => {
  it('declares the fourteen tools once, with required keys exactly on place, cancel, refund and fulfill', () => {
    const names = orderContract.tools.map((t) => t.name);
    expect(new Set(names).size).toBe(14);
    expect(names.every((n) => n.startsWith('order_'))).toBe(true);
    const required = orderContract.tools
      .filter((t) => t.idempotency === 'required')
      .map((t) => t.name)
      .sort();
    expect(required).toEqual(['order_cancel', 'order_fulfill', 'order_place', 'order_refund']);
    expect(orderRefund.scopes).toEqual(['order:write', 'payment:refund']);
    expect(orderContract.tools.find((t) => t.name === 'order_query_sql')?.scopes).toEqual(['sql:read']);
    expect(orderContract.resources.map((r) => r.uri)).toEqual(['order://{id}', 'orders://state-machine', 'schema://order']);
    expect(orderContract.prompts.map((p) => p.name)).toEqual(['order_support_triage']);
  });

  it('takes lines as sku and positive integer quantity, each sku once, and never a price', () => {
    const base = { customer_id: CUS, lines: [{ sku: 'AUD-0001234', quantity: 2 }], payment_method: 'pm_card_visa', idempotency_key: KEY };
    const parsed = orderPlace.input.parse(base);
    expect(parsed.capture_mode).toBe('immediate');
    expect(parsed.wait_ms).toBe(10_000);
    expect(orderPlace.input.safeParse({ ...base, lines: [{ sku: 'AUD-0001234', quantity: 0 }] }).success).toBe(false);
    expect(orderPlace.input.safeParse({ ...base, lines: [{ sku: 'AUD-0001234', quantity: 1.5 }] }).success).toBe(false);
    expect(orderPlace.input.safeParse({ ...base, lines: [{ sku: 'AUD-0001234', quantity: 1, unit_price: 1 }] }).success).toBe(false);
    expect(
      orderPlace.input.safeParse({
        ...base,
        lines: [
          { sku: 'AUD-0001234', quantity: 1 },
          { sku: 'AUD-0001234', quantity: 1 },
        ],
      }).success,
    ).toBe(false);
    expect(orderPlace.input.safeParse({ ...base, lines: [] }).success).toBe(false);
    expect(orderPlace.input.safeParse({ ...base, idempotency_key: undefined }).success).toBe(false);
    expect(orderPlace.input.safeParse({ ...base, wait_ms: 60_000 }).success).toBe(false);
  });

  it('reads an order by exactly one of id and number; risky writes default to a real run with a version', () => {
    expect(orderGet.input.safeParse({ order_id: ORD }).success).toBe(true);
    expect(orderGet.input.safeParse({ order_number: 100001 }).success).toBe(true);
    expect(orderGet.input.safeParse({}).success).toBe(false);
    expect(orderGet.input.safeParse({ order_id: ORD, order_number: 1 }).success).toBe(false);
    expect(orderCancel.input.parse({ order_id: ORD, expected_version: 3, idempotency_key: KEY }).dry_run).toBe(false);
    expect(orderCancel.input.safeParse({ order_id: ORD, idempotency_key: KEY }).success).toBe(false);
    expect(orderRefund.input.parse({ order_id: ORD, expected_version: 3, idempotency_key: KEY }).restock).toBe(true);
  });

  it('keeps keys, principals and tokens out of the SQL views', () => {
    const columns = ORDER_SQL_VIEWS.flatMap((v) => v.columns.map((c) => c.name));
    expect(columns.join(' ')).not.toMatch(/idempotency|principal|payment_method|token/);
  });

  it('produces JSON Schema for every tool', () => {
    for (const tool of orderContract.tools) {
      expect(z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' })).toMatchObject({ type: 'object', additionalProperties: false });
    }
  });
});
