import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createDatabase, readOnlyConnectionString } from '@mcpfed/db';
import { createMcpHost } from '@mcpfed/mcp-runtime';
import type { McpHost } from '@mcpfed/mcp-runtime';
import { createLogger, createMetrics, initTracing } from '@mcpfed/telemetry';
import { connectLinkedClient, createTestDatabase, staffPrincipal, testPrincipal } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { customerMigrations } from '../migrations/index.ts';
import { buildCustomerServer } from '../src/server.ts';
import type { CustomerDatabase } from '../src/store/customer-database.ts';
import { SQL_READER_ROLE, ensureSqlReaderRole } from '../src/store/sql-reader-role.ts';

/** Every scope the customer server knows. */
export const ALL_CUSTOMER_SCOPES = ['customer:read', 'customer:write', 'customer:pii', 'sql:read', 'admin'];

/** A customer server of one test file: a fresh database, the MCP host, and SDK clients for any principal. */
export interface CustomerTestHost {
  readonly database: TestDatabase<CustomerDatabase>;
  readonly host: McpHost<CustomerDatabase>;
  /**
   * An SDK client (in-memory linked transport) calling as `subject` with these scopes; closed by `close()`. Staff by
   * default (`customer:any` is added); with `customerId` a customer-bound caller holding exactly `scopes`.
   */
  connect(scopes: readonly string[], subject: string, options?: { customerId?: string }): Promise<Client>;
  close(): Promise<void>;
}

/** Options of {@link startCustomerTestHost}. */
export interface CustomerTestHostOptions {
  /** application_name of the read-only SQL pool. Default `customer-tools-test`. */
  label?: string;
  /** How often the host writes buffered audit records, in milliseconds. Default 50. */
  auditFlushIntervalMs?: number;
}

/** Starts a customer server over a fresh, migrated database (with the read-only SQL role). */
export async function startCustomerTestHost(options: CustomerTestHostOptions = {}): Promise<CustomerTestHost> {
  const label = options.label ?? 'customer-tools-test';
  const database = await createTestDatabase<CustomerDatabase>({ name: 'customer', migrations: customerMigrations });
  await ensureSqlReaderRole(database.pool, { database: database.name });
  const reader = createDatabase({ connectionString: readOnlyConnectionString(database.url, SQL_READER_ROLE), applicationName: label, max: 2 });
  const host = createMcpHost<CustomerDatabase>({
    name: 'customer-server',
    version: '0.0.0',
    db: database.db,
    ...buildCustomerServer({ sqlPool: reader.pool }),
    logger: createLogger({ name: 'customer-server', level: process.env['MCPFED_TEST_LOGS'] ? 'debug' : 'silent' }),
    metrics: createMetrics({ service: 'customer-server', collectDefault: false }),
    tracing: initTracing({ serviceName: 'customer-server' }),
    auditFlushIntervalMs: options.auditFlushIntervalMs ?? 50,
  });
  const closers: Array<() => Promise<void>> = [];
  return {
    database,
    host,
    async connect(scopes, subject, options = {}) {
      const principal = options.customerId === undefined ? staffPrincipal(scopes, subject) : testPrincipal(scopes, subject, { customerId: options.customerId });
      const linked = await connectLinkedClient(host, principal);
      closers.push(linked.close);
      return linked.client;
    },
    async close() {
      for (const close of closers) await close();
      await host.close();
      await reader.close();
      await database.drop();
    },
  };
}
