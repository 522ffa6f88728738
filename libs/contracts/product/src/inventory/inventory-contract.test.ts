import { describe, expect, it } from 'vitest';
import {
  inventoryAdjust,
  inventoryCommit,
  inventoryGet,
  inventoryLowStock,
  inventoryLowStockTriage,
  inventoryMovements,
  inventoryRelease,
  inventoryReserve,
  inventoryTools,
} from './index.ts';

const RSV = 'rsv_01j9z3k8q4m2n6p7r8s9t0v1w2';
const KEY = 'checkout:ord_1:reserve';

describe('inventory contract', () => {
  it('lists seven inventory_ tools once; reads need product:read, writes product:write and an idempotency key', () => {
    const names = inventoryTools.map((t) => t.name);
    expect(names).toEqual([
      'inventory_get',
      'inventory_adjust',
      'inventory_reserve',
      'inventory_commit',
      'inventory_release',
      'inventory_low_stock',
      'inventory_movements',
    ]);
    for (const tool of inventoryTools) {
      if (tool.annotations.readOnlyHint) {
        expect(tool.scopes).toEqual(['product:read']);
        expect(tool.idempotency).toBe('none');
      } else {
        expect(tool.scopes).toEqual(['product:write']);
        expect(tool.idempotency).toBe('required');
      }
    }
  });

  it('inventory_reserve: 1-100 lines of 1-10000 units, TTL 1 s - 24 h defaulting to 15 minutes, upper-case codes', () => {
    const base = { order_reference: 'ord_1', lines: [{ sku: 'HP-0001', quantity: 2 }], idempotency_key: KEY };
    expect(inventoryReserve.input.parse(base).ttl_seconds).toBe(900);
    expect(inventoryReserve.input.safeParse({ ...base, lines: [] }).success).toBe(false);
    expect(inventoryReserve.input.safeParse({ ...base, lines: Array.from({ length: 101 }, () => base.lines[0]) }).success).toBe(false);
    expect(inventoryReserve.input.safeParse({ ...base, lines: [{ sku: 'HP-0001', quantity: 0 }] }).success).toBe(false);
    expect(inventoryReserve.input.safeParse({ ...base, lines: [{ sku: 'HP-0001', quantity: 10_001 }] }).success).toBe(false);
    expect(inventoryReserve.input.safeParse({ ...base, lines: [{ sku: 'hp-0001', quantity: 1 }] }).success).toBe(false);
    expect(inventoryReserve.input.safeParse({ ...base, lines: [{ sku: 'HP-0001', quantity: 1, location: 'ber-1' }] }).success).toBe(false);
    expect(inventoryReserve.input.safeParse({ ...base, lines: [{ sku: 'HP-0001', quantity: 1, location: 'BER-1' }] }).success).toBe(true);
    expect(inventoryReserve.input.safeParse({ ...base, ttl_seconds: 86_401 }).success).toBe(false);
    expect(inventoryReserve.input.safeParse({ ...base, lines: [{ sku: 'HP-0001', quantity: 1, unit_price: 1 }] }).success).toBe(false);
    const { idempotency_key: _key, ...withoutKey } = base;
    expect(inventoryReserve.input.safeParse(withoutKey).success).toBe(false);
  });

  it('commit and release take exactly one of reservation_id and order_reference', () => {
    for (const tool of [inventoryCommit, inventoryRelease]) {
      expect(tool.input.safeParse({ reservation_id: RSV, idempotency_key: KEY }).success).toBe(true);
      expect(tool.input.safeParse({ order_reference: 'ord_1', idempotency_key: KEY }).success).toBe(true);
      expect(tool.input.safeParse({ reservation_id: RSV, order_reference: 'ord_1', idempotency_key: KEY }).success).toBe(false);
      expect(tool.input.safeParse({ idempotency_key: KEY }).success).toBe(false);
      expect(tool.input.safeParse({ reservation_id: 'rsv_short', idempotency_key: KEY }).success).toBe(false);
    }
  });

  it('inventory_adjust: non-zero bounded delta, a known reason code, dry_run off by default', () => {
    const base = { sku: 'HP-0001', location: 'BER-1', delta: -3, reason: 'damaged', idempotency_key: KEY };
    expect(inventoryAdjust.input.parse(base).dry_run).toBe(false);
    expect(inventoryAdjust.input.safeParse({ ...base, delta: 0 }).success).toBe(false);
    expect(inventoryAdjust.input.safeParse({ ...base, delta: 1.5 }).success).toBe(false);
    expect(inventoryAdjust.input.safeParse({ ...base, delta: 1_000_001 }).success).toBe(false);
    expect(inventoryAdjust.input.safeParse({ ...base, reason: 'stolen' }).success).toBe(false);
  });

  it('defaults and bounds of the reads and the prompt', () => {
    expect(inventoryLowStock.input.parse({})).toEqual({ threshold: 5, limit: 20 });
    expect(inventoryMovements.input.parse({}).limit).toBe(20);
    expect(inventoryMovements.input.safeParse({ filter: { kinds: [] } }).success).toBe(false);
    expect(inventoryGet.input.safeParse({ skus: ['HP-0001'], location: 'BER-1' }).success).toBe(true);
    expect(inventoryLowStockTriage.args.safeParse({ threshold: '10' }).success).toBe(true);
    expect(inventoryLowStockTriage.args.safeParse({ threshold: '-1' }).success).toBe(false);
  });
});
