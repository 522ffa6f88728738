import { SCOPES } from '@mcpfed/contract-common';
import { createDatabase, openServerDatabases } from '@mcpfed/db';
import { runMcpServer, runServerCommand, serverIcon } from '@mcpfed/mcp-runtime';
import { createRedisConnections, registerQueueMetrics } from '@mcpfed/queue';
import type { Logger } from '@mcpfed/telemetry';
import packageJson from '../package.json' with { type: 'json' };
import { customerMigrations } from '../migrations/index.ts';
import { customerConfigSchema } from './config.ts';
import { startOrderEventsConsumer } from './jobs/order-events-consumer.ts';
import type { OrderEventsConsumer } from './jobs/order-events-consumer.ts';
import type { CustomerConfig } from './config.ts';
import { seedBulkCustomers } from './seed/seed-bulk-customers.ts';
import { seedDemoCustomers } from './seed/seed-demo-customers.ts';
import { buildCustomerServer } from './server.ts';
import type { CustomerDatabase } from './store/customer-database.ts';
import { ensureSqlReaderRole } from './store/sql-reader-role.ts';

const NAME = 'customer-server';
const DEMO_COUNT = 1000;
const USAGE = `usage: customer-server [serve [--stdio] | migrate | seed [--count N]]
  serve     serve MCP over HTTP (default), or on stdin/stdout with --stdio
  migrate   apply the database migrations and set up the read-only SQL role
  seed      insert the deterministic demo data (${DEMO_COUNT} customers); --count N > ${DEMO_COUNT} adds
            N - ${DEMO_COUNT} generated customers for load tests. Safe to run twice.`;

const INSTRUCTIONS =
  'Customer profiles, addresses, notes and purchase eligibility. Find a customer with customer_search (typos are ' +
  'fine), read it with customer_get, and pass its version as expected_version when you change it. Personal data ' +
  'is masked unless you hold customer:pii. Erasure (customer_anonymize) always starts with a dry run.';

async function seed(config: CustomerConfig, logger: Logger, count: number): Promise<void> {
  const database = createDatabase<CustomerDatabase>({ connectionString: config.DATABASE_URL, applicationName: `${NAME}-seed`, max: 1, statementTimeoutMs: 0 });
  try {
    const demo = await seedDemoCustomers(database.db, { count: Math.min(count, DEMO_COUNT) });
    logger.info(demo, demo.skipped ? 'demo data already present' : 'demo data inserted');
    if (count > DEMO_COUNT) {
      const started = performance.now();
      const inserted = await seedBulkCustomers(database.db, {
        count: count - DEMO_COUNT,
        onProgress: (done, total) => logger.info({ done, total }, 'bulk customers'),
      });
      logger.info({ inserted, seconds: Math.round((performance.now() - started) / 100) / 10 }, 'bulk customers inserted');
    }
  } finally {
    await database.close();
  }
}

async function serve(config: CustomerConfig, logger: Logger, transport: 'http' | 'stdio'): Promise<void> {
  const { database, sqlDatabase } = openServerDatabases<CustomerDatabase>(NAME, config);
  const server = buildCustomerServer({ sqlPool: sqlDatabase.pool, sqlStatementTimeoutMs: config.SQL_STATEMENT_TIMEOUT_MS });
  // The order events consumer runs only when serving HTTP: a stdio server is one user's local process, and
  // several of them would compete for the deployment's events.
  const redis = createRedisConnections({ url: config.REDIS_URL, service: NAME, logger });
  const events = transport === 'http' ? { worker: redis.open('order-events-worker'), queue: redis.open('order-events') } : undefined;
  let consumer: OrderEventsConsumer | undefined;
  const running = await runMcpServer<CustomerDatabase>({
    settings: config,
    name: NAME,
    version: packageJson.version,
    title: 'mcpfed customer server',
    description:
      'Customer profiles, addresses, notes and purchase eligibility of the commerce federation; personal data masked unless the caller holds customer:pii.',
    icons: [serverIcon('C', '#2563eb')],
    instructions: INSTRUCTIONS,
    logger,
    database,
    migrations: customerMigrations,
    ...server,
    transport,
    allScopes: SCOPES,
    shutdownSteps: [
      // Before the database closes: an event being applied finishes its transaction first.
      { name: 'order events consumer', run: async () => consumer?.close() },
      { name: 'order events connections', run: () => redis.close() },
      { name: 'sql pool', run: () => sqlDatabase.close() },
    ],
  });
  if (events) {
    consumer = startOrderEventsConsumer({
      db: database.db,
      prefix: config.ORDER_EVENTS_PREFIX,
      workerConnection: events.worker,
      queueConnection: events.queue,
      logger,
      concurrency: config.ORDER_EVENTS_CONCURRENCY,
    });
    registerQueueMetrics(running.metrics, consumer.queue);
    logger.info({ queue: consumer.queue.name, prefix: config.ORDER_EVENTS_PREFIX }, 'consuming order events');
  }
}

void runServerCommand({
  name: NAME,
  usage: USAGE,
  configSchema: customerConfigSchema,
  argv: process.argv.slice(2),
  env: process.env,
  options: { count: { type: 'string' } },
  migrate: { migrations: customerMigrations, readOnlyRole: ensureSqlReaderRole },
  seed: ({ config, logger, count }) => seed(config, logger, count(DEMO_COUNT)),
  serve: ({ config, logger }, transport) => serve(config, logger, transport),
});
