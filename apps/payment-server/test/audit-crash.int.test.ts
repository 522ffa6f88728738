/**
 * A money write's audit record is durable before its caller sees success: the payment server process is killed
 * (SIGKILL, no shutdown) right after answering a payment_authorize, or while a slow one is in flight, and the record
 * is in the database.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '@mcpfed/contract-common';
import { sql } from '@mcpfed/db';
import { idempotencyKey, startDomainServerProcess } from '@mcpfed/testing';
import type { DomainServerProcess } from '@mcpfed/testing';
import { DEMO_CUSTOMERS } from '../src/seed/seed-demo-payments.ts';

let app: DomainServerProcess;

beforeAll(async () => {
  app = await startDomainServerProcess({
    app: 'payment-server',
    label: 'pay_crash',
    setup: ['migrate', 'seed'],
    scopes: SCOPES,
    env: { PAYMENT_SANDBOX_SLOW_MS: '10000' },
  });
}, 120_000);

afterAll(async () => {
  await app?.close();
});

interface AuditRow {
  request_id: string;
  principal_id: string;
  tool: string;
  outcome: string;
  args: Record<string, unknown>;
}

async function auditRowsOf(principal: string): Promise<AuditRow[]> {
  const { rows } =
    await sql<AuditRow>`SELECT request_id, principal_id, tool, outcome, args FROM mcp_audit_log WHERE principal_id = ${principal} ORDER BY id`.execute(
      app.database.db,
    );
  return rows;
}

function authorize(token: string, paymentMethod: string, orderRef: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${app.server.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: {
        name: 'payment_authorize',
        arguments: {
          order_ref: orderRef,
          customer_id: DEMO_CUSTOMERS[0],
          amount: 2500,
          currency: 'EUR',
          payment_method: paymentMethod,
          idempotency_key: idempotencyKey(),
        },
      },
    }),
    ...(signal === undefined ? {} : { signal }),
  });
}

describe('a money write killed with its process', () => {
  it('has its audit record, outcome ok, when the process dies right after answering', async () => {
    const token = await app.token(['payment:write', 'payment:read', 'customer:any'], 'crash-after-answer');
    const response = await authorize(token, 'pm_card_visa', 'crash-order-1');
    const body = (await response.json()) as { result?: { isError?: boolean; structuredContent?: { payment?: { status: string } } } };
    await app.server.kill();
    expect(body.result?.isError).toBeUndefined();
    expect(body.result?.structuredContent?.payment?.status).toBe('authorized');
    const requestId = response.headers.get('x-request-id');
    expect(await auditRowsOf('crash-after-answer')).toEqual([
      {
        request_id: requestId,
        principal_id: 'crash-after-answer',
        tool: 'payment_authorize',
        outcome: 'ok',
        args: expect.objectContaining({ order_ref: 'crash-order-1', amount: 2500 }),
      },
    ]);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM payments WHERE order_ref = 'crash-order-1'`.execute(app.database.db);
    expect(rows[0]?.n).toBe(1);
  });

  it('leaves a started record when the process dies while the authorization is in flight', async () => {
    await app.server.restart();
    const token = await app.token(['payment:write', 'payment:read', 'customer:any'], 'crash-in-flight');
    const controller = new AbortController();
    const call = authorize(token, 'pm_card_slow', 'crash-order-2', controller.signal).catch((error: unknown) => error);
    const deadline = Date.now() + 10_000;
    while ((await auditRowsOf('crash-in-flight')).length === 0 && Date.now() < deadline) await sleep(20);
    await app.server.kill();
    controller.abort();
    await call;
    expect(await auditRowsOf('crash-in-flight')).toEqual([
      {
        request_id: expect.any(String),
        principal_id: 'crash-in-flight',
        tool: 'payment_authorize',
        outcome: 'started',
        args: expect.objectContaining({ order_ref: 'crash-order-2' }),
      },
    ]);
    await app.server.restart();
  });
});
