import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnServer, testServiceUrl } from '@mcpfed/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBaselineServer } from '../src/baseline-server.ts';
import type { BaselineServer } from '../src/baseline-server.ts';
import { freePort } from '@mcpfed/dev-stack';
import { BenchContext } from '../src/bench-context.ts';
import { customerDatabase } from '../src/fixtures/customer-database.ts';
import type { CustomerDatabaseFixture } from '../src/fixtures/customer-database.ts';
import { toolCallBody } from '../src/scenarios/scenario.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const CUSTOMER_ID = 'cus_01jbench0000000000000000aa';

async function post(url: string, body: string): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, json: (await response.json()) as unknown };
}

describe('baseline server against a scratch customer database', () => {
  let workDir = '';
  let context: BenchContext;
  let fixture: CustomerDatabaseFixture;
  let baseline: BaselineServer;
  let url = '';

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'loadtest-baseline-'));
    context = new BenchContext({
      repoRoot,
      adminUrl: testServiceUrl('databaseUrl'),
      redisUrl: testServiceUrl('redisUrl'),
      workDir,
      seedCount: 5,
      logLevel: 'warn',
    });
    // The same fixture the bench uses: the customer server's own migrate and seed commands.
    fixture = await customerDatabase(context);
    const client = new pg.Client({ connectionString: fixture.url });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO customers (id, email, first_name, last_name, phone, tier, created_at, updated_at)
         VALUES ($1, 'ada@example.com', 'Ada', 'Lovelace', '+441234567890', 'gold', '2025-01-02T03:04:05.678Z', '2025-01-02T03:04:05.678Z')`,
        [CUSTOMER_ID],
      );
      await client.query(
        `INSERT INTO addresses (id, customer_id, kind, is_default, line1, city, postal_code, country, created_at) VALUES
           ('adr_01jbench0000000000000000a1', $1, 'billing', false, '1 Old Rd', 'London', 'N1 1AA', 'GB', '2025-01-01T00:00:00Z'),
           ('adr_01jbench0000000000000000a2', $1, 'shipping', true, '2 New St', 'Leeds', 'LS1 1AA', 'GB', '2025-01-03T00:00:00Z')`,
        [CUSTOMER_ID],
      );
      await client.query(
        `INSERT INTO customer_order_stats (customer_id, order_count, lifetime_value_amount, currency, last_order_at)
         VALUES ($1, 3, 12345, 'GBP', '2025-02-01T00:00:00Z')`,
        [CUSTOMER_ID],
      );
    } finally {
      await client.end();
    }
    baseline = createBaselineServer({ databaseUrl: fixture.url, poolSize: 2 });
    await new Promise<void>((resolve) => baseline.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(baseline.server.address() as AddressInfo).port}/mcp`;
  });

  afterAll(async () => {
    await baseline?.close();
    await context?.cleanup();
    await rm(workDir, { recursive: true, force: true });
  });

  it('seeded the requested number of customers through the customer server', () => {
    expect(fixture.ids).toHaveLength(5);
    for (const id of fixture.ids) expect(id).toMatch(/^cus_[0-9a-hjkmnp-tv-z]{26}$/);
  });

  it('answers tools/call customer_get with the row, its order statistics and its addresses (default first)', async () => {
    const { status, json } = await post(url, toolCallBody(7, 'customer_get', { id: CUSTOMER_ID }));
    expect(status).toBe(200);
    const response = json as { jsonrpc: string; id: number; result: { structuredContent: Record<string, unknown>; content: Array<{ text: string }> } };
    expect(response.jsonrpc).toBe('2.0');
    expect(response.id).toBe(7);
    const customer = response.result.structuredContent;
    expect(customer).toMatchObject({
      id: CUSTOMER_ID,
      email: 'ada@example.com',
      first_name: 'Ada',
      last_name: 'Lovelace',
      tier: 'gold',
      status: 'active',
      version: 1,
      order_stats: { order_count: 3, lifetime_value: { amount: 12345, currency: 'GBP' } },
    });
    expect((customer['addresses'] as Array<{ id: string }>).map((address) => address.id)).toEqual([
      'adr_01jbench0000000000000000a2',
      'adr_01jbench0000000000000000a1',
    ]);
    expect(JSON.parse(response.result.content[0]?.text ?? '{}')).toEqual(JSON.parse(JSON.stringify(customer)));
  });

  it('answers an unknown id with a NOT_FOUND tool error', async () => {
    const { status, json } = await post(url, toolCallBody(8, 'customer_get', { id: 'cus_01jbench0000000000000000zz' }));
    expect(status).toBe(200);
    expect(json).toMatchObject({ id: 8, result: { isError: true, structuredContent: { error: { code: 'NOT_FOUND' } } } });
  });

  it('answers malformed JSON with -32700 and another method with -32602', async () => {
    expect(await post(url, '{"jsonrpc":')).toEqual({ status: 400, json: { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } } });
    const other = await post(url, JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }));
    expect(other).toEqual({ status: 200, json: { jsonrpc: '2.0', id: 9, error: { code: -32602, message: 'unknown tool' } } });
  });

  it('runs as a script: node tools/loadtest/src/baseline-server.ts with DATABASE_URL and PORT', async () => {
    const port = await freePort();
    const child = await spawnServer({
      name: 'baseline-server',
      args: [path.join(repoRoot, 'tools', 'loadtest', 'src', 'baseline-server.ts')],
      env: { DATABASE_URL: fixture.url, PORT: String(port) },
      cwd: repoRoot,
      logFile: path.join(workDir, 'baseline-child.log'),
      port,
      readyPath: '/healthz',
    });
    try {
      const { json } = await post(`http://127.0.0.1:${port}/mcp`, toolCallBody(1, 'customer_get', { id: CUSTOMER_ID }));
      expect(json).toMatchObject({ result: { structuredContent: { id: CUSTOMER_ID, first_name: 'Ada' } } });
    } finally {
      await child.stop();
    }
  });
});
