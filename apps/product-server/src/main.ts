import path from 'node:path';
import { SCOPES } from '@mcpfed/contract-common';
import { createDatabase, openServerDatabases } from '@mcpfed/db';
import { runMcpServer, runServerCommand, serverIcon } from '@mcpfed/mcp-runtime';
import type { ServerCommandContext } from '@mcpfed/mcp-runtime';
import { createRedisConnections, registerQueueMetrics } from '@mcpfed/queue';
import type { Logger } from '@mcpfed/telemetry';
import packageJson from '../package.json' with { type: 'json' };
import { productMigrations } from '../migrations/index.ts';
import { CORRECTION_THRESHOLD, createImportQueue, ensureSqlReaderRole, searchConnectionString, startImportWorker } from './catalog/index.ts';
import type { ImportWorker } from './catalog/index.ts';
import { productConfigSchema } from './config.ts';
import type { ProductConfig } from './config.ts';
import { createReservationExpiryQueue, startInventoryWorkers } from './inventory/index.ts';
import type { InventoryWorkers } from './inventory/index.ts';
import type { ProductDatabase } from './store/product-database.ts';
import { DEMO_PRODUCT_COUNT, seedProducts } from './seed/seed-products.ts';
import { writeImportFile } from './seed/write-import-file.ts';
import { buildProductServer } from './server.ts';

const NAME = 'product-server';
const USAGE = `usage: product-server [serve [--stdio] | migrate | seed [--count N] | generate-import --count N --out FILE [--format jsonl|csv]]
  serve            serve MCP over HTTP (default), or on stdin/stdout with --stdio; runs the import and inventory workers
  migrate          apply the database migrations and set up the read-only SQL role
  seed             insert the deterministic demo catalog (${DEMO_PRODUCT_COUNT} products with stock); --count N > ${DEMO_PRODUCT_COUNT}
                   adds N - ${DEMO_PRODUCT_COUNT} generated products with stock for load tests. Safe to run twice.
  generate-import  write N generated products as an import file (path relative to PRODUCT_IMPORT_DIR)`;

const INSTRUCTIONS =
  'Product catalog and inventory. Find products with product_search (free text, typos are fine, filters and ' +
  'category facets), read one with product_get (stock per location) or many with product_lookup. Prices are ' +
  "integer minor units with an ISO 4217 currency. Pass a product's version as expected_version when you change it. " +
  'Bulk changes go through product_import (a background job; follow it with product_import_status). Stock moves ' +
  'only through the inventory_* tools.';

/** Bulk seed batches written at once: search vectors and index entries of a batch take one backend's CPU. */
const SEED_PARALLEL_BATCHES = 3;

async function seed(config: ProductConfig, logger: Logger, count: number): Promise<void> {
  const database = createDatabase<ProductDatabase>({
    connectionString: config.DATABASE_URL,
    applicationName: `${NAME}-seed`,
    max: SEED_PARALLEL_BATCHES,
    statementTimeoutMs: 0,
  });
  try {
    const started = performance.now();
    const demo = await seedProducts(database.db, { series: 'demo', count: Math.min(count, DEMO_PRODUCT_COUNT) });
    logger.info(demo, demo.products === 0 ? 'demo catalog already present' : 'demo catalog inserted');
    if (count > DEMO_PRODUCT_COUNT) {
      const bulk = await seedProducts(database.db, {
        series: 'bulk',
        count: count - DEMO_PRODUCT_COUNT,
        parallel: SEED_PARALLEL_BATCHES,
        onProgress: (done, total) => logger.info({ done, total }, 'bulk products'),
      });
      logger.info({ ...bulk, seconds: Math.round((performance.now() - started) / 100) / 10 }, 'bulk products inserted');
    }
  } finally {
    await database.close();
  }
}

async function generateImport({ config, logger, values, count, usageError }: ServerCommandContext<ProductConfig>): Promise<void> {
  const { out, format } = values;
  if (typeof out !== 'string' || (format !== 'jsonl' && format !== 'csv')) {
    return usageError('generate-import needs --out FILE and --format jsonl|csv');
  }
  const file = path.resolve(config.PRODUCT_IMPORT_DIR, out);
  const rows = count(1000);
  const bytes = await writeImportFile(file, format, rows);
  logger.info({ file, rows, bytes }, 'import file written');
}

async function serve(config: ProductConfig, logger: Logger, transport: 'http' | 'stdio'): Promise<void> {
  const { database, sqlDatabase } = openServerDatabases<ProductDatabase>(NAME, config);
  const searchDatabase = createDatabase<ProductDatabase>({
    connectionString: searchConnectionString(config.DATABASE_URL, CORRECTION_THRESHOLD),
    applicationName: `${NAME}-search`,
    max: config.DB_POOL_MAX,
  });
  const redis = createRedisConnections({ url: config.REDIS_URL, service: NAME, logger });
  const queueConnection = redis.open('queue');
  const importConnection = redis.open('import-worker');
  const imports = createImportQueue({ connection: queueConnection, prefix: config.QUEUE_PREFIX, logger });
  const expiry = createReservationExpiryQueue({ connection: queueConnection, prefix: config.QUEUE_PREFIX, logger });
  const importSource = { directory: config.PRODUCT_IMPORT_DIR, maxBytes: config.PRODUCT_IMPORT_MAX_BYTES, allowHosts: config.PRODUCT_IMPORT_ALLOW_HOSTS };
  const server = buildProductServer({
    sqlPool: sqlDatabase.pool,
    sqlStatementTimeoutMs: config.SQL_STATEMENT_TIMEOUT_MS,
    imports: { source: importSource, queue: imports },
    searchDb: searchDatabase.db,
    inventory: { expiry },
  });
  // Started once the server runs; the shutdown steps close whichever have started.
  const workers: { imports?: ImportWorker; inventory?: InventoryWorkers } = {};
  const running = await runMcpServer<ProductDatabase>({
    settings: config,
    name: NAME,
    version: packageJson.version,
    title: 'mcpfed product server',
    description: 'The product catalog (search, prices, imports) and inventory per location (reservations, movements, low stock).',
    icons: [serverIcon('Pr', '#ea580c')],
    instructions: INSTRUCTIONS,
    logger,
    database,
    migrations: productMigrations,
    ...server,
    transport,
    allScopes: SCOPES,
    shutdownSteps: [
      // Workers first: an import stops after the batch it is writing and resumes on the next start.
      { name: 'import worker', run: async () => workers.imports?.close() },
      { name: 'inventory workers', run: async () => workers.inventory?.close() },
      { name: 'queues', run: async () => void (await Promise.all([imports.close(), expiry.close()])) },
      { name: 'queue connections', run: () => redis.close() },
      { name: 'sql pool', run: () => sqlDatabase.close() },
      { name: 'search pool', run: () => searchDatabase.close() },
    ],
  });
  registerQueueMetrics(running.metrics, imports.queue);
  registerQueueMetrics(running.metrics, expiry.queue);
  workers.imports = await startImportWorker({
    db: database.db,
    connection: importConnection,
    prefix: config.QUEUE_PREFIX,
    queue: imports,
    logger,
    run: { ...importSource, batchSize: config.PRODUCT_IMPORT_BATCH_SIZE, parallelBatches: config.PRODUCT_IMPORT_PARALLEL_BATCHES },
  });
  workers.inventory = await startInventoryWorkers<ProductDatabase>({
    db: database.db,
    logger,
    connection: redis.open('inventory-worker'),
    prefix: config.QUEUE_PREFIX,
    sweepIntervalMs: config.INVENTORY_SWEEP_INTERVAL_MS,
    sweepGraceMs: config.INVENTORY_SWEEP_GRACE_MS,
  });
}

void runServerCommand({
  name: NAME,
  usage: USAGE,
  configSchema: productConfigSchema,
  argv: process.argv.slice(2),
  env: process.env,
  options: { count: { type: 'string' }, out: { type: 'string' }, format: { type: 'string', default: 'jsonl' } },
  migrate: { migrations: productMigrations, readOnlyRole: ensureSqlReaderRole },
  seed: ({ config, logger, count }) => seed(config, logger, count(DEMO_PRODUCT_COUNT)),
  commands: { 'generate-import': generateImport },
  serve: ({ config, logger }, transport) => serve(config, logger, transport),
});
