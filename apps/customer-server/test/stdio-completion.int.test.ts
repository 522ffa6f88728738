/**
 * Completion and serverInfo over stdio, where one process serves one local principal: `STDIO_CUSTOMER_ID` binds the
 * session to one customer, whose ids are then the only ones it completes.
 */
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { customerMigrations } from '../migrations/index.ts';
import type { CustomerDatabase } from '../src/store/customer-database.ts';
import { testEmail } from './fixtures.ts';

const SOURCE_MAIN = path.resolve(import.meta.dirname, '..', 'src', 'main.ts');

let database: TestDatabase<CustomerDatabase>;
const clients: Client[] = [];

beforeAll(async () => {
  database = await createTestDatabase<CustomerDatabase>({ name: 'customer_stdio_completion', migrations: customerMigrations });
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await database?.drop();
});

async function connect(scopes: string, customerId?: string): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [SOURCE_MAIN, 'serve', '--stdio'],
    env: {
      MCPFED_ENV: 'development',
      DATABASE_URL: database.url,
      STDIO_SCOPES: scopes,
      ...(customerId === undefined ? {} : { STDIO_CUSTOMER_ID: customerId }),
      PATH: process.env['PATH'] ?? '',
    },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'stdio-completion-test', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

async function create(client: Client, name: string): Promise<string> {
  const result = await client.callTool({ name: 'customer_create', arguments: { email: testEmail(name), first_name: 'Stdio', last_name: name } });
  return (result.structuredContent as { customer: { id: string } }).customer.id;
}

describe('completion over stdio', () => {
  it('completes every customer for the operator and only the bound one for a bound session', { timeout: 120_000 }, async () => {
    const operator = await connect('customer:read customer:write customer:any');
    expect(operator.getServerVersion()).toMatchObject({ name: 'customer-server', icons: [{ mimeType: 'image/svg+xml' }] });
    expect(operator.getServerVersion()?.description).toContain('Customer profiles');
    const first = await create(operator, 'first');
    const second = await create(operator, 'second');
    const ref = { type: 'ref/prompt' as const, name: 'customer_churn_analysis' };
    expect((await operator.complete({ ref, argument: { name: 'customer_id', value: 'cus_' } })).completion).toEqual({
      values: [first, second].sort(),
      total: 2,
      hasMore: false,
    });

    const bound = await connect('customer:read', second);
    expect((await bound.complete({ ref, argument: { name: 'customer_id', value: 'cus_' } })).completion).toEqual({
      values: [second],
      total: 1,
      hasMore: false,
    });
    expect((await bound.complete({ ref: { type: 'ref/resource', uri: 'customer://{id}' }, argument: { name: 'id', value: first } })).completion.values).toEqual(
      [],
    );
  });
});
