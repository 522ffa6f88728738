import { randomBytes } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { ApprovalGate } from '@mcpfed/approvals';
import type { Principal } from '@mcpfed/auth';
import { createDatabase, newId, readOnlyConnectionString } from '@mcpfed/db';
import type { Database } from '@mcpfed/db';
import { createMcpHost, jobContext, systemPrincipal } from '@mcpfed/mcp-runtime';
import type { McpHost, RequestContext } from '@mcpfed/mcp-runtime';
import { createLogger, createMetrics, initTracing } from '@mcpfed/telemetry';
import type { Logger } from '@mcpfed/telemetry';
import { connectLinkedClient, createTestDatabase, staffPrincipal } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { paymentMigrations } from '../migrations/index.ts';
import type { ExpiryScheduler } from '../src/service/expiry-scheduler.ts';
import { SandboxProvider } from '../src/service/provider/sandbox-provider.ts';
import type { SandboxDatabase } from '../src/service/provider/sandbox-database.ts';
import { buildPaymentServer } from '../src/server.ts';
import { createPaymentDomain } from '../src/service/payment-domain.ts';
import type { PaymentDomain } from '../src/service/payment-domain.ts';
import { DEFAULT_PAYMENT_LIMITS } from '../src/service/payment-limits.ts';
import type { PaymentLimits } from '../src/service/payment-limits.ts';
import type { PaymentDatabase } from '../src/store/payment-database.ts';
import { SQL_READER_ROLE, ensureSqlReaderRole } from '../src/store/sql-reader-role.ts';

/** Every scope the payment server's tools use. */
export const ALL_SCOPES = ['payment:read', 'payment:write', 'payment:refund', 'sql:read'];

/** Options of {@link startTestPaymentServer}. */
export interface TestServerOptions {
  limits?: Partial<PaymentLimits>;
  authorizationTtlMs?: number;
  slowMs?: number;
  leaseMs?: number;
  expiry?: ExpiryScheduler;
  /** Approvals of large refunds by persons; default none (such a refund is refused: no approval page). */
  approvalGate?: ApprovalGate;
  /** Pool size of the test database. Default 20. */
  poolMax?: number;
}

/** A payment server on a fresh database, driven through real SDK clients. */
export interface TestPaymentServer {
  readonly database: TestDatabase<PaymentDatabase>;
  readonly db: Kysely<PaymentDatabase>;
  readonly sandbox: Kysely<SandboxDatabase>;
  readonly provider: SandboxProvider;
  readonly domain: PaymentDomain;
  readonly host: McpHost<PaymentDatabase>;
  readonly logger: Logger;
  /** Connects as an unbound staff principal: these scopes plus `customer:any`. */
  connect(scopes: readonly string[], subject: string): Promise<Client>;
  /** Connects as exactly this principal (e.g. a service token acting for a caller). */
  connectAs(principal: Principal): Promise<Client>;
  close(): Promise<void>;
}

/** Starts the payment server's MCP host over a fresh, migrated database (with the read-only SQL role). */
export async function startTestPaymentServer(options: TestServerOptions = {}): Promise<TestPaymentServer> {
  const database = await createTestDatabase<PaymentDatabase>({ name: 'payment', migrations: paymentMigrations, max: options.poolMax ?? 20 });
  await ensureSqlReaderRole(database.pool, { database: database.name });
  const reader: Database<unknown> = createDatabase({
    connectionString: readOnlyConnectionString(database.url, SQL_READER_ROLE),
    applicationName: 'payment-test-sql',
    max: 2,
  });
  const logger = createLogger({ name: 'payment-server', level: process.env['MCPFED_TEST_LOGS'] ? 'debug' : 'silent' });
  const sandbox = database.db.withTables<SandboxDatabase>();
  const provider = new SandboxProvider({ db: sandbox, slowMs: options.slowMs ?? 200 });
  const domain = createPaymentDomain({
    db: database.db,
    provider,
    limits: { ...DEFAULT_PAYMENT_LIMITS, ...options.limits },
    ...(options.approvalGate === undefined ? {} : { approvalGate: options.approvalGate }),
    authorizationTtlMs: options.authorizationTtlMs ?? 7 * 86_400_000,
    operationLeaseMs: options.leaseMs ?? 60_000,
    logger,
    ...(options.expiry === undefined ? {} : { expiry: options.expiry }),
  });
  const host = createMcpHost<PaymentDatabase>({
    name: 'payment-server',
    version: '0.0.0',
    db: database.db,
    ...buildPaymentServer({ domain, sqlPool: reader.pool }),
    logger,
    metrics: createMetrics({ service: 'payment-server', collectDefault: false }),
    tracing: initTracing({ serviceName: 'payment-server' }),
    auditFlushIntervalMs: 50,
  });
  const closers: Array<() => Promise<void>> = [];
  const connectAs = async (principal: Principal): Promise<Client> => {
    const linked = await connectLinkedClient(host, principal);
    closers.push(linked.close);
    return linked.client;
  };
  return {
    database,
    db: database.db,
    sandbox,
    provider,
    domain,
    host,
    logger,
    connect: (scopes, subject) => connectAs(staffPrincipal(scopes, subject)),
    connectAs,
    async close() {
      for (const close of closers) await close();
      await host.close();
      await reader.close();
      await database.drop();
    },
  };
}

/**
 * The context of a direct service call by the unbound staff principal `id` (it reaches every customer, and counts
 * against its own limits).
 */
export function staffContext(id: string, signal: AbortSignal = new AbortController().signal): Pick<RequestContext, 'principal' | 'signal'> {
  return { principal: staffPrincipal([], id), signal };
}

/** The job context of a reconciler sweep run by a test. */
export function sweepContext(logger: Logger): RequestContext {
  return jobContext({ principal: systemPrincipal('reconciler'), log: logger });
}

/** A fresh, well-formed customer id (`cus_` + 26 base32 characters: `newId` of @mcpfed/db). */
export function newCustomerId(): string {
  return newId('cus');
}

let orders = 0;

/** A fresh order reference. */
export function newOrderRef(): string {
  orders += 1;
  return `ord-test-${process.pid}-${orders}-${randomBytes(3).toString('hex')}`;
}

/** A payment as tools return it (the fields tests read). */
export interface PaymentOut {
  id: string;
  order_ref: string;
  customer_id: string;
  status: string;
  currency: string;
  void_reason: string | null;
  amount_authorized: number;
  amount_captured: number;
  amount_refunded: number;
  amount_refund_pending: number;
  amount_refundable: number;
  provider_charge_id: string;
  expires_at: string | null;
  payment_method: { id: string; brand: string; last4: string };
}

/**
 * Sums every ledger transaction: how many there are, how many do not balance, and the total debits and credits.
 * The deferred trigger makes an unbalanced one impossible; this checks it from the outside.
 */
export async function ledgerTotals(db: Kysely<PaymentDatabase>): Promise<{ transactions: number; unbalanced: number; debits: number; credits: number }> {
  const { rows } = await sql<{ transactions: string; unbalanced: string; debits: string; credits: string }>`
    WITH per_tx AS (
      SELECT t.id,
             coalesce(sum(e.amount) FILTER (WHERE e.direction = 'debit'), 0) AS debits,
             coalesce(sum(e.amount) FILTER (WHERE e.direction = 'credit'), 0) AS credits
        FROM ledger_transactions t LEFT JOIN ledger_entries e ON e.transaction_id = t.id
       GROUP BY t.id)
    SELECT count(*) AS transactions,
           count(*) FILTER (WHERE debits <> credits OR debits = 0) AS unbalanced,
           coalesce(sum(debits), 0) AS debits,
           coalesce(sum(credits), 0) AS credits
      FROM per_tx`.execute(db);
  const row = rows[0];
  return {
    transactions: Number(row?.transactions ?? 0),
    unbalanced: Number(row?.unbalanced ?? 0),
    debits: Number(row?.debits ?? 0),
    credits: Number(row?.credits ?? 0),
  };
}
