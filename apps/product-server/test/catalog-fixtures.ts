import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createDatabase, readOnlyConnectionString } from '@mcpfed/db';
import type { Database } from '@mcpfed/db';
import { createMcpHost } from '@mcpfed/mcp-runtime';
import type { McpHost } from '@mcpfed/mcp-runtime';
import { createRedisConnection } from '@mcpfed/queue';
import { createLogger, createMetrics, initTracing } from '@mcpfed/telemetry';
import type { Logger } from '@mcpfed/telemetry';
import { connectLinkedClient, createTestDatabase, createTestRedis, testPrincipal } from '@mcpfed/testing';
import type { TestDatabase, TestRedis } from '@mcpfed/testing';
import type { Redis } from 'ioredis';
import { productMigrations } from '../migrations/index.ts';
import {
  CORRECTION_THRESHOLD,
  SQL_READER_ROLE,
  createImportQueue,
  ensureSqlReaderRole,
  searchConnectionString,
  startImportWorker,
} from '../src/catalog/index.ts';
import type { ImportQueue, ImportWorker } from '../src/catalog/index.ts';
import type { ImportSourceConfig } from '../src/catalog/service/import/import-source.ts';
import { hostPortOf } from '../src/catalog/service/import/import-url-guard.ts';
import type { ProductDatabase } from '../src/store/product-database.ts';
import { buildProductServer } from '../src/server.ts';

/** Every scope the product server's tools need. */
export const ALL_SCOPES = ['product:read', 'product:write', 'sql:read', 'admin'];

/** A product server of one test file: its database, Redis prefix, import directory, host and queue. */
export interface ProductTestServer {
  readonly database: TestDatabase<ProductDatabase>;
  readonly redis: TestRedis;
  /** BullMQ prefix (under the Redis test prefix). */
  readonly prefix: string;
  readonly importDir: string;
  readonly source: ImportSourceConfig;
  readonly queue: ImportQueue;
  readonly host: McpHost<ProductDatabase>;
  readonly logger: Logger;
  /** Lets `{ url }` imports reach the `host:port` of this URL (a fixture server on loopback), as PRODUCT_IMPORT_ALLOW_HOSTS would. */
  allowUrlHost(url: string): void;
  /** An SDK client calling as a principal with these scopes. */
  connect(scopes: readonly string[], subject?: string): Promise<Client>;
  /** Starts an import worker (closed by `close()` unless closed before). */
  startWorker(options?: { batchSize?: number; lockDurationMs?: number }): Promise<ImportWorker>;
  close(): Promise<void>;
}

/** Starts everything a catalog test file needs against a fresh database and a random Redis prefix. */
export async function startProductTestServer(
  options: {
    importBatchSize?: number;
    importMaxBytes?: number;
    /** statement_timeout of the search pool (default 5000 ms). */ searchStatementTimeoutMs?: number;
  } = {},
): Promise<ProductTestServer> {
  const database = await createTestDatabase<ProductDatabase>({ name: 'product', migrations: productMigrations });
  await ensureSqlReaderRole(database.pool, { database: database.name });
  const reader: Database<unknown> = createDatabase({
    connectionString: readOnlyConnectionString(database.url, SQL_READER_ROLE),
    applicationName: 'product-test-sql',
    max: 2,
  });
  const search = createDatabase<ProductDatabase>({
    connectionString: searchConnectionString(database.url, CORRECTION_THRESHOLD),
    applicationName: 'product-test-search',
    max: 3,
    ...(options.searchStatementTimeoutMs === undefined ? {} : { statementTimeoutMs: options.searchStatementTimeoutMs }),
  });
  const redis = await createTestRedis({ label: 'product' });
  const prefix = redis.prefix.replace(/:$/, '');
  const logger = createLogger({ name: 'product-server', level: process.env['MCPFED_TEST_LOGS'] ? 'debug' : 'silent' });
  const connections: Redis[] = [];
  const connection = (): Redis => {
    const made = createRedisConnection({ url: redis.url, name: 'product-test', logger });
    connections.push(made);
    return made;
  };
  const importDir = await mkdtemp(path.join(os.tmpdir(), 'product-imports-'));
  // Filled by allowUrlHost: the tool and the worker share this array, so a fixture server started later is allowed.
  const allowHosts: string[] = [];
  const source: ImportSourceConfig = { directory: importDir, maxBytes: options.importMaxBytes ?? 1024 * 1024, allowHosts };
  const queue = createImportQueue({ connection: connection(), prefix, logger });
  const server = buildProductServer({ sqlPool: reader.pool, imports: { source, queue }, searchDb: search.db });
  const host = createMcpHost<ProductDatabase>({
    name: 'product-server',
    version: '0.0.0',
    db: database.db,
    ...server,
    logger,
    metrics: createMetrics({ service: 'product-server', collectDefault: false }),
    tracing: initTracing({ serviceName: 'product-server' }),
    auditFlushIntervalMs: 50,
  });
  const closers: Array<() => Promise<void>> = [];
  const workers: ImportWorker[] = [];
  return {
    database,
    redis,
    prefix,
    importDir,
    source,
    queue,
    host,
    logger,
    allowUrlHost(url) {
      allowHosts.push(hostPortOf(new URL(url)));
    },
    async connect(scopes, subject = 'test-user') {
      const linked = await connectLinkedClient(host, testPrincipal(scopes, subject));
      closers.push(linked.close);
      return linked.client;
    },
    async startWorker(workerOptions = {}) {
      const worker = await startImportWorker({
        db: database.db,
        connection: connection(),
        prefix,
        queue,
        logger,
        run: { ...source, batchSize: workerOptions.batchSize ?? options.importBatchSize ?? 1000 },
        ...(workerOptions.lockDurationMs === undefined ? {} : { lockDurationMs: workerOptions.lockDurationMs }),
      });
      workers.push(worker);
      return worker;
    },
    async close() {
      for (const close of closers) await close();
      for (const worker of workers) await worker.close();
      await queue.queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      for (const made of connections) made.disconnect();
      await host.close();
      await reader.close();
      await search.close();
      await redis.cleanup();
      await database.drop();
      await rm(importDir, { recursive: true, force: true });
    },
  };
}

/** A product as the tools return it (the fields tests read). */
export interface Product {
  sku: string;
  name: string;
  brand: string | null;
  category: string;
  description: string | null;
  status: string;
  price: { amount: number; currency: string };
  attributes: Record<string, unknown>;
  version: number;
  archived_at: string | null;
  stock: { on_hand: number; reserved: number; available: number; locations: Array<{ location: string; on_hand: number; reserved: number; available: number }> };
  price_history: Array<{ price: { amount: number; currency: string }; changed_by: string; reason: string | null }>;
}

/** Waits until `check` returns a value other than undefined, polling every 50 ms, for at most `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
