import { serverApprovals } from '@mcpfed/approvals';
import type { ApprovalGate } from '@mcpfed/approvals';
import { exitOnConfigError, resolvePublicUrl } from '@mcpfed/config';
import { SCOPES } from '@mcpfed/contract-common';
import { createDatabase, openServerDatabases } from '@mcpfed/db';
import { jobContext, runMcpServer, runServerCommand, serverIcon } from '@mcpfed/mcp-runtime';
import type { ShutdownStep } from '@mcpfed/mcp-runtime';
import { createRedisConnections, registerQueueMetrics } from '@mcpfed/queue';
import type { Logger } from '@mcpfed/telemetry';
import packageJson from '../package.json' with { type: 'json' };
import { paymentMigrations } from '../migrations/index.ts';
import { paymentConfigSchema } from './config.ts';
import type { PaymentConfig } from './config.ts';
import { createExpiryScheduler, startExpiryWorker } from './jobs/authorization-expiry.ts';
import { startReconcilerLoop } from './jobs/reconciler-loop.ts';
import type { PaymentProvider } from './service/provider/payment-provider.ts';
import { SandboxProvider } from './service/provider/sandbox-provider.ts';
import type { SandboxDatabase } from './service/provider/sandbox-database.ts';
import { SEED_PRINCIPAL, seedDemoPayments } from './seed/seed-demo-payments.ts';
import { seededIds } from './seed/seeded-ids.ts';
import { buildPaymentServer } from './server.ts';
import type { IdGenerator } from './service/new-id.ts';
import { createPaymentDomain } from './service/payment-domain.ts';
import type { PaymentDomain } from './service/payment-domain.ts';
import type { ExpiryScheduler } from './service/expiry-scheduler.ts';
import type { PaymentDatabase } from './store/payment-database.ts';
import { ensureSqlReaderRole } from './store/sql-reader-role.ts';

const NAME = 'payment-server';
const SEED = 20250101;
const USAGE = `usage: payment-server [serve [--stdio] | migrate | seed]
  serve     serve MCP over HTTP (default), or on stdin/stdout with --stdio
  migrate   apply the database migrations and set up the read-only SQL role
  seed      insert the deterministic demo payment methods and payments (sandbox provider only). Safe to run twice.`;

const INSTRUCTIONS =
  "Payments: authorize (hold) an amount on a customer's payment method, capture it when the order is confirmed, " +
  'void it if the order is cancelled before capture, refund captured money. Amounts are always integer minor units ' +
  'with an ISO 4217 currency (1999 EUR = 19.99 EUR). Every money movement needs an idempotency_key: after a TIMEOUT ' +
  'retry with the same key and arguments — never with a new one. Check payment_refundable before refunding; a large ' +
  'refund waits for the approval of the person it is asked for: give them the approval_url payment_refund answers, ' +
  'then repeat the same call (policy://payment/limits).';

async function seed(config: PaymentConfig, logger: Logger): Promise<void> {
  const database = createDatabase<PaymentDatabase>({ connectionString: config.DATABASE_URL, applicationName: `${NAME}-seed`, max: 2, statementTimeoutMs: 0 });
  try {
    const domain = paymentDomain(config, logger, database.db, provider(config, database.db), undefined, undefined, seededIds(SEED));
    const result = await seedDemoPayments(domain, jobContext({ principal: SEED_PRINCIPAL, log: logger }));
    logger.info(result, result.skipped ? 'demo payments already present' : 'demo payments inserted');
  } finally {
    await database.close();
  }
}

async function serve(config: PaymentConfig, logger: Logger, transport: 'http' | 'stdio'): Promise<void> {
  const { database, sqlDatabase } = openServerDatabases<PaymentDatabase>(NAME, config);
  const steps: ShutdownStep[] = [];
  // Under stdio there is no Redis (docs/architecture.md §5: a local process); the sweep then voids expired authorizations alone.
  const redis = createRedisConnections({ url: config.REDIS_URL, service: NAME, logger });
  const expiry = transport === 'http' ? createExpiryScheduler({ connection: redis.open('queue'), prefix: config.QUEUE_PREFIX }) : undefined;
  // Approval pages exist over HTTP with a client secret; without them a refund that needs approval is refused.
  const { gate, pages } = exitOnConfigError(() =>
    serverApprovals(config, { http: transport === 'http', db: database.db, name: 'payment', publicUrl: resolvePublicUrl(config), logger }),
  );
  const domain = paymentDomain(config, logger, database.db, provider(config, database.db), expiry, gate);
  const loop = startReconcilerLoop({ reconciliation: domain.reconciliation, intervalMs: config.PAYMENT_RECONCILE_INTERVAL_MS, logger });
  steps.push({ name: 'reconciler', run: () => loop.stop() });
  if (expiry !== undefined) {
    const worker = startExpiryWorker({ connection: redis.open('worker'), prefix: config.QUEUE_PREFIX, payments: domain.payments, logger });
    steps.push({ name: 'expiry worker', run: () => worker.close() }, { name: 'expiry queue', run: () => expiry.close() });
  }
  steps.push({ name: 'queue redis', run: () => redis.close() }, { name: 'sql pool', run: () => sqlDatabase.close() });
  const server = buildPaymentServer({ domain, sqlPool: sqlDatabase.pool, sqlStatementTimeoutMs: config.SQL_STATEMENT_TIMEOUT_MS });
  const running = await runMcpServer<PaymentDatabase>({
    settings: config,
    name: NAME,
    version: packageJson.version,
    title: 'mcpfed payment server',
    description: 'Payment authorizations, captures, voids and refunds with a double-entry ledger, limits and reconciliation.',
    icons: [serverIcon('P', '#9333ea')],
    instructions: INSTRUCTIONS,
    logger,
    database,
    migrations: paymentMigrations,
    ...server,
    transport,
    allScopes: SCOPES,
    shutdownSteps: steps,
    ...(pages === undefined ? {} : { pages }),
  });
  if (expiry !== undefined) registerQueueMetrics(running.metrics, expiry.queue);
}

function provider(config: PaymentConfig, db: PaymentDomainDb): PaymentProvider {
  // PAYMENT_PROVIDER has one value today; a real provider adds its case here, behind the same interface.
  switch (config.PAYMENT_PROVIDER) {
    case 'sandbox':
      return new SandboxProvider({ db: db.withTables<SandboxDatabase>(), slowMs: config.PAYMENT_SANDBOX_SLOW_MS });
  }
}

type PaymentDomainDb = Parameters<typeof createPaymentDomain>[0]['db'];

function paymentDomain(
  config: PaymentConfig,
  logger: Logger,
  db: PaymentDomainDb,
  paymentProvider: PaymentProvider,
  expiry: ExpiryScheduler | undefined,
  approvalGate: ApprovalGate | undefined,
  ids?: IdGenerator,
): PaymentDomain {
  return createPaymentDomain({
    db,
    provider: paymentProvider,
    limits: {
      maxAuthorizationMinor: config.PAYMENT_MAX_AUTHORIZATION_MINOR,
      maxRefundMinor: config.PAYMENT_MAX_REFUND_MINOR,
      dailyAuthorizationLimitMinor: config.PAYMENT_DAILY_AUTHORIZATION_LIMIT_MINOR,
      dailyRefundLimitMinor: config.PAYMENT_DAILY_REFUND_LIMIT_MINOR,
      refundConfirmThresholdMinor: config.PAYMENT_REFUND_CONFIRM_THRESHOLD_MINOR,
    },
    approvalTtlMs: config.APPROVAL_TTL_MS,
    refundExemptClients: config.REFUND_APPROVAL_EXEMPT_CLIENTS,
    ...(approvalGate === undefined ? {} : { approvalGate }),
    authorizationTtlMs: config.PAYMENT_AUTHORIZATION_TTL,
    operationLeaseMs: config.PAYMENT_OPERATION_LEASE_MS,
    logger,
    ...(expiry === undefined ? {} : { expiry }),
    ...(ids === undefined ? {} : { ids }),
  });
}

void runServerCommand({
  name: NAME,
  usage: USAGE,
  configSchema: paymentConfigSchema,
  argv: process.argv.slice(2),
  env: process.env,
  migrate: { migrations: paymentMigrations, readOnlyRole: ensureSqlReaderRole },
  seed: ({ config, logger }) => seed(config, logger),
  serve: ({ config, logger }, transport) => serve(config, logger, transport),
});
