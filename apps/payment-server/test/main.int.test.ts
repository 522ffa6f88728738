/**
 * The composition root as an operator runs it: `migrate` and `seed` (twice) as commands, then `serve --stdio` the way
 * an MCP client config starts it — only DATABASE_URL and STDIO_SCOPES, no token, no Redis.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, idempotencyKey } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { paymentMigrations } from '../migrations/index.ts';
import { DEMO_CUSTOMERS } from '../src/seed/seed-demo-payments.ts';
import type { PaymentDatabase } from '../src/store/payment-database.ts';

const MAIN = path.resolve(import.meta.dirname, '..', 'src', 'main.ts');
const run = promisify(execFile);

let database: TestDatabase<PaymentDatabase>;

beforeAll(async () => {
  database = await createTestDatabase<PaymentDatabase>({ name: 'payment', migrations: paymentMigrations });
});

afterAll(async () => {
  await database?.drop();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { MCPFED_ENV: 'development', DATABASE_URL: database.url, PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'info', ...extra };
}

describe('payment-server commands', () => {
  it('migrates (a no-op on a migrated database, setting up the SQL role) and seeds once, then skips', async () => {
    const migrated = await run(process.execPath, [MAIN, 'migrate'], { env: env() });
    expect(migrated.stderr).toContain('database already up to date');
    const first = await run(process.execPath, [MAIN, 'seed'], { env: env() });
    expect(first.stderr).toContain('demo payments inserted');
    const second = await run(process.execPath, [MAIN, 'seed'], { env: env() });
    expect(second.stderr).toContain('demo payments already present');
    expect(await database.db.selectFrom('payments').select('id').execute()).toHaveLength(6);
  }, 30_000);

  it('stops with one line naming a bad setting', async () => {
    const failed = await run(process.execPath, [MAIN, 'migrate'], { env: env({ PAYMENT_AUTHORIZATION_TTL: 'soon' }) }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 78 });
    expect((failed as { stderr: string }).stderr).toMatch(/PAYMENT_AUTHORIZATION_TTL/);
  });

  it('refuses to start outside development without its secrets, with one line naming each', async () => {
    const failed = await run(process.execPath, [MAIN, 'serve', '--stdio'], { env: env({ MCPFED_ENV: 'production' }) }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 78 });
    const stderr = (failed as { stderr: string }).stderr;
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(
      /^invalid configuration: AUDIT_DIGEST_KEY: required outside development .*; SQL_READER_PASSWORD: required outside development [^;]*$/,
    );
  });

  it('serves MCP on stdio without Redis: lists tools by scope and moves money', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MAIN, 'serve', '--stdio'],
      env: env({ STDIO_SCOPES: 'payment:read payment:write customer:any', LOG_LEVEL: 'warn' }),
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => void (stderr += chunk.toString('utf8')));
    const client = new Client({ name: 'payment-stdio-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names, stderr).toContain('payment_authorize');
      expect(names).not.toContain('payment_refund');
      const authorized = (await client.callTool({
        name: 'payment_authorize',
        arguments: {
          order_ref: 'stdio-order-1',
          customer_id: DEMO_CUSTOMERS[0],
          amount: 1234,
          currency: 'EUR',
          payment_method: 'pm_card_visa',
          idempotency_key: idempotencyKey(),
        },
      })) as unknown as { isError?: boolean; structuredContent: { payment: { status: string; amount_authorized: number } } };
      expect(authorized.isError, JSON.stringify(authorized.structuredContent)).toBeUndefined();
      expect(authorized.structuredContent.payment).toMatchObject({ status: 'authorized', amount_authorized: 1234 });
      const reconciled = (await client.callTool({ name: 'payment_reconcile', arguments: { order_ref: 'demo-order-0002' } })) as unknown as {
        structuredContent: { in_sync: boolean; payments_checked: number };
      };
      expect(reconciled.structuredContent).toMatchObject({ in_sync: true, payments_checked: 1 });
    } finally {
      await client.close();
    }
  }, 30_000);
});
