import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobContext } from '@mcpfed/mcp-runtime';
import { createLogger } from '@mcpfed/telemetry';
import { createTestDatabase } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { paymentMigrations } from '../migrations/index.ts';
import { SandboxProvider } from '../src/service/provider/sandbox-provider.ts';
import type { SandboxDatabase } from '../src/service/provider/sandbox-database.ts';
import { DEMO_CUSTOMERS, SEED_PRINCIPAL, seedDemoPayments } from '../src/seed/seed-demo-payments.ts';
import { seededIds } from '../src/seed/seeded-ids.ts';
import { createPaymentDomain } from '../src/service/payment-domain.ts';
import type { PaymentDomain } from '../src/service/payment-domain.ts';
import { DEFAULT_PAYMENT_LIMITS } from '../src/service/payment-limits.ts';
import type { PaymentDatabase } from '../src/store/payment-database.ts';
import { ledgerTotals, staffContext } from './fixtures.ts';

const seedContext = jobContext({ principal: SEED_PRINCIPAL, log: createLogger({ name: 'payment-seed-test', level: 'silent' }) });
let first: TestDatabase<PaymentDatabase>;
let second: TestDatabase<PaymentDatabase>;

function domainOf(database: TestDatabase<PaymentDatabase>): PaymentDomain {
  return createPaymentDomain({
    db: database.db,
    provider: new SandboxProvider({ db: database.db.withTables<SandboxDatabase>(), slowMs: 0 }),
    limits: DEFAULT_PAYMENT_LIMITS,
    authorizationTtlMs: 7 * 86_400_000,
    logger: createLogger({ name: 'payment-seed-test', level: 'silent' }),
    ids: seededIds(20250101),
  });
}

beforeAll(async () => {
  [first, second] = await Promise.all([
    createTestDatabase<PaymentDatabase>({ name: 'payment', migrations: paymentMigrations }),
    createTestDatabase<PaymentDatabase>({ name: 'payment', migrations: paymentMigrations }),
  ]);
});

afterAll(async () => {
  await Promise.all([first?.drop(), second?.drop()]);
});

describe('demo seed', () => {
  it('writes the same demo payments in two fresh databases, consistent across ledger, records and provider', async () => {
    expect(await seedDemoPayments(domainOf(first), seedContext)).toEqual({ payments: 6, skipped: false });
    expect(await seedDemoPayments(domainOf(second), seedContext)).toEqual({ payments: 6, skipped: false });
    const rows = (db: TestDatabase<PaymentDatabase>) =>
      db.db
        .selectFrom('payments')
        .select(['id', 'order_ref', 'customer_id', 'payment_method_id', 'currency', 'status', 'amount_authorized', 'amount_captured', 'amount_refunded'])
        .orderBy('id')
        .execute();
    const a = await rows(first);
    expect(a).toEqual(await rows(second));
    expect(a.map((p) => [p.order_ref, p.status, p.currency, p.amount_authorized, p.amount_captured, p.amount_refunded]).sort()).toEqual([
      ['demo-order-0001', 'captured', 'EUR', '4999', '4999', '0'],
      ['demo-order-0002', 'partially_refunded', 'EUR', '12999', '12999', '2000'],
      ['demo-order-0003', 'authorized', 'EUR', '2500', '0', '0'],
      ['demo-order-0004', 'voided', 'EUR', '8900', '0', '0'],
      ['demo-order-0005', 'refunded', 'USD', '15000', '15000', '15000'],
      ['demo-order-0006', 'captured', 'EUR', '7450', '7000', '0'],
    ]);
    expect(new Set(a.map((p) => p.customer_id))).toEqual(new Set(DEMO_CUSTOMERS));
    const declined = await first.db.selectFrom('payment_operations').select(['status', 'principal_id']).where('status', '=', 'failed').execute();
    expect(declined).toEqual([{ status: 'failed', principal_id: SEED_PRINCIPAL.id }]);
    const reconciled = await domainOf(first).reconciliation.reconcile(
      { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() },
      staffContext('t'),
    );
    expect(reconciled).toMatchObject({ in_sync: true, payments_checked: 6, provider_charges_checked: 6, pending_operations: 0 });
    expect((await ledgerTotals(first.db)).unbalanced).toBe(0);
  }, 60_000);

  it('changes nothing when run again', async () => {
    const count = async () =>
      Number(
        (
          await first.db
            .selectFrom('ledger_transactions')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    expect(await seedDemoPayments(domainOf(first), seedContext)).toEqual({ payments: 6, skipped: true });
    expect(await count()).toBe(before);
    expect(await first.db.selectFrom('payments').select('id').execute()).toHaveLength(6);
  });
});
