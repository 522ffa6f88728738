/**
 * order_place as an MCP Task over stdio: the order server (and the router) started as `serve --stdio`, as a local
 * client starts them, over the same federation the revision matrix uses. The SDK v1 client drives the 2025-11-25 task
 * utility; for 2026-07-28 the task envelope is written by hand over the SDK v2 stdio transport, as the SDK v2 client
 * (2.4.0) rejects `resultType: "task"`. A checkout is held before capture with the sandbox's slow card.
 */
import path from 'node:path';
import { StdioClientTransport as ModernStdioTransport } from '@modelcontextprotocol/client/stdio';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema, CreateTaskResultSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKey } from '@mcpfed/testing';
import { FEDERATION_SCOPES } from '../src/config.ts';
import { spawnFederation } from './fixtures/spawn-federation.ts';
import type { SpawnedFederation } from './fixtures/spawn-federation.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const MODERN = '2026-07-28';
const TASKS = 'io.modelcontextprotocol/tasks';
/** pm_card_slow's wait: below the order server's upstream timeout (5 s), long enough to cancel during it. */
const SLOW_MS = 4000;

let federation: SpawnedFederation;
let customerId: string;
const sku = `STK-${idempotencyKey().slice(0, 8).toUpperCase()}`;
const closers: (() => Promise<void>)[] = [];

function stdioParams(main: string, env: Readonly<Record<string, string>>) {
  return {
    command: process.execPath,
    args: [path.join(REPO_ROOT, main), 'serve', '--stdio'],
    env: { ...(process.env as Record<string, string>), ...env, STDIO_PRINCIPAL: 'stdio-tasks', STDIO_SCOPES: FEDERATION_SCOPES.join(' ') },
    stderr: 'ignore' as const,
  };
}

const targets = {
  'order server': () => stdioParams('apps/order-server/src/main.ts', federation.serverEnvs.order),
  router: () => stdioParams('apps/router/src/main.ts', federation.routerEnv),
};
type Target = keyof typeof targets;

async function connectLegacy(target: Target): Promise<Client> {
  const client = new Client({ name: 'stdio-tasks', version: '0.0.0' });
  await client.connect(new StdioClientTransport(targets[target]()));
  closers.push(() => client.close());
  return client;
}

async function placeAsTask(client: Client, paymentMethod = 'pm_card_visa') {
  const created = await client.request(
    {
      method: 'tools/call',
      params: {
        name: 'order_place',
        arguments: { customer_id: customerId, lines: [{ sku, quantity: 1 }], payment_method: paymentMethod, idempotency_key: idempotencyKey() },
      },
    },
    CreateTaskResultSchema,
    { task: {} },
  );
  return created.task;
}

async function rpcError(call: Promise<unknown>): Promise<{ code: number; message: string; data: unknown }> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof McpError)) throw new Error(`expected a JSON-RPC error, got ${JSON.stringify(error)}`);
  return { code: error.code, message: error.message.replace(/^MCP error -?\d+: /, ''), data: error.data };
}

async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

beforeAll(async () => {
  federation = await spawnFederation({ name: 'stk', serverEnv: { payment: { PAYMENT_SANDBOX_SLOW_MS: String(SLOW_MS) } } });
  const admin = await federation.connect(FEDERATION_SCOPES, 'stdio-tasks-admin');
  const tag = idempotencyKey().slice(0, 8);
  const created = await admin.callTool({
    name: 'customer_create',
    arguments: {
      email: `stdio${tag}@example.com`,
      first_name: 'Stdio',
      last_name: 'Tasks',
      addresses: [{ kind: 'shipping', line1: 'Hauptstr. 1', city: 'Berlin', postal_code: '10115', country: 'DE' }],
    },
  });
  customerId = (created.structuredContent as { customer: { id: string } }).customer.id;
  expect(
    (
      await admin.callTool({
        name: 'product_create',
        arguments: { sku, name: 'Stdio task lamp', category: 'test-goods', price: { amount: 1500, currency: 'EUR' } },
      })
    ).isError,
  ).toBeFalsy();
  expect(
    (
      await admin.callTool({
        name: 'inventory_adjust',
        arguments: { sku, location: 'BER-1', delta: 50, reason: 'received', idempotency_key: idempotencyKey() },
      })
    ).isError,
  ).toBeFalsy();
}, 180_000);

afterAll(async () => {
  await Promise.all(closers.map((close) => close().catch(() => undefined)));
  await federation?.close();
});

describe.each(Object.keys(targets) as Target[])('order_place as a 2025-11-25 Task over the %s stdio', (target) => {
  it('creates, polls to completed, gives the confirmed order, and refuses a cancel after capture saying why', async () => {
    const client = await connectLegacy(target);
    expect(client.getServerCapabilities()?.tasks).toEqual({ cancel: {}, requests: { tools: { call: {} } } });
    const task = await placeAsTask(client);
    expect(task.taskId).toMatch(/^order_place:ord_[0-9a-z]{26}$/);
    expect(task.status).toBe('working');
    expect(task.pollInterval).toBe(1000);
    const orderId = task.taskId.slice('order_place:'.length);
    const final = await pollUntil(
      () => client.experimental.tasks.getTask(task.taskId),
      (t) => t.status !== 'working',
      30_000,
    );
    expect(final).toMatchObject({ taskId: task.taskId, status: 'completed', statusMessage: 'Order confirmed and its payment captured.' });
    const result = await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(result.isError).toBeUndefined();
    expect(result._meta).toEqual({ 'io.modelcontextprotocol/related-task': { taskId: task.taskId } });
    expect(result.structuredContent).toMatchObject({
      order: { id: orderId, status: 'confirmed', total_amount: 1500, payment: { amount_captured: 1500 } },
      done: true,
    });
    const late = await rpcError(client.experimental.tasks.cancelTask(task.taskId));
    expect(late.code).toBe(-32602);
    expect(late.message).toBe("Cannot cancel task: already in terminal status 'completed': Order confirmed and its payment captured.");
    expect((await client.experimental.tasks.getTask(task.taskId)).status).toBe('completed');
  }, 60_000);

  it('accepts a cancel before capture (slow card) and the order ends failed as cancelled', async () => {
    const client = await connectLegacy(target);
    const task = await placeAsTask(client, 'pm_card_slow');
    const orderId = task.taskId.slice('order_place:'.length);
    // The slow authorization holds the checkout at step 3 for SLOW_MS.
    const authorizing = await pollUntil(
      () => client.experimental.tasks.getTask(task.taskId),
      (t) => t.statusMessage === 'Checkout step 3 of 6: authorize_payment.' || t.status !== 'working',
      SLOW_MS,
      50,
    );
    expect(authorizing).toMatchObject({ status: 'working', statusMessage: 'Checkout step 3 of 6: authorize_payment.' });
    const cancelled = await client.experimental.tasks.cancelTask(task.taskId);
    expect(cancelled).toMatchObject({ taskId: task.taskId, status: 'cancelled' });
    const again = await rpcError(client.experimental.tasks.cancelTask(task.taskId));
    expect(again.code).toBe(-32602);
    expect(again.message).toContain("already in terminal status 'cancelled'");
    const settled = await pollUntil(
      () => client.experimental.tasks.getTask(task.taskId),
      (t) => t.statusMessage?.includes('was voided') === true,
      40_000,
      500,
    );
    expect(settled).toMatchObject({ status: 'cancelled', statusMessage: 'Cancelled: the authorization was voided and the stock released.' });
    const result = await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(result.structuredContent).toMatchObject({ order: { id: orderId, status: 'failed', failure_reason: 'cancelled' }, done: true });
    const order = await client.callTool({ name: 'order_get', arguments: { order_id: orderId } });
    expect(order.structuredContent).toMatchObject({ order: { id: orderId, status: 'failed', failure_reason: 'cancelled' } });
  }, 90_000);

  it('refuses a cancel while the payment is being captured (slow card) with the reason, and the order is confirmed', async () => {
    const client = await connectLegacy(target);
    const task = await placeAsTask(client, 'pm_card_slow');
    const capturing = await pollUntil(
      () => client.experimental.tasks.getTask(task.taskId),
      (t) => t.statusMessage === 'Checkout step 5 of 6: capture_payment.' || t.status !== 'working',
      3 * SLOW_MS,
      50,
    );
    expect(capturing).toMatchObject({ status: 'working', statusMessage: 'Checkout step 5 of 6: capture_payment.' });
    const refused = await rpcError(client.experimental.tasks.cancelTask(task.taskId));
    expect(refused.code).toBe(-32602);
    expect(refused.message).toMatch(/^Cannot cancel task: The checkout of order ord_\w+ has confirmed the order and is capturing its payment/);
    expect(refused.data).toMatchObject({ code: 'PRECONDITION_FAILED', details: { reason: 'capture_in_progress' } });
    const done = await pollUntil(
      () => client.experimental.tasks.getTask(task.taskId),
      (t) => t.status !== 'working',
      30_000,
      500,
    );
    expect(done).toMatchObject({ status: 'completed', statusMessage: 'Order confirmed and its payment captured.' });
  }, 90_000);
});

interface Answer {
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

/** Requests in the 2026-07-28 envelope, written by hand over the SDK v2 stdio transport. */
async function modernStdioRpc(target: Target) {
  const transport = new ModernStdioTransport(targets[target]());
  const pending = new Map<number, (answer: Answer) => void>();
  transport.onmessage = (message: JSONRPCMessage) => {
    const m = message as { id?: number; result?: Record<string, unknown>; error?: Answer['error'] };
    if (typeof m.id === 'number') pending.get(m.id)?.({ ...(m.result ? { result: m.result } : {}), ...(m.error ? { error: m.error } : {}) });
  };
  await transport.start();
  closers.push(() => transport.close());
  let next = 1;
  return async (method: string, params: Record<string, unknown>, capabilities: Record<string, unknown> = { extensions: { [TASKS]: {} } }): Promise<Answer> => {
    const id = next++;
    const answered = new Promise<Answer>((resolve) => pending.set(id, resolve));
    const _meta = {
      'io.modelcontextprotocol/protocolVersion': MODERN,
      'io.modelcontextprotocol/clientCapabilities': capabilities,
      'io.modelcontextprotocol/clientInfo': { name: 'stdio-tasks', version: '0.0.0' },
    };
    await transport.send({ jsonrpc: '2.0', id, method, params: { ...params, _meta } } as JSONRPCMessage);
    return answered;
  };
}

describe.each(Object.keys(targets) as Target[])('order_place as a 2026-07-28 Task over the %s stdio', (target) => {
  it('creates with the flat task result and tasks/get polls it to completed with the result inline', async () => {
    const rpc = await modernStdioRpc(target);
    const created = await rpc('tools/call', {
      name: 'order_place',
      arguments: { customer_id: customerId, lines: [{ sku, quantity: 1 }], payment_method: 'pm_card_visa', idempotency_key: idempotencyKey() },
    });
    expect(created.error).toBeUndefined();
    expect(created.result).toMatchObject({
      resultType: 'task',
      taskId: expect.stringMatching(/^order_place:ord_[0-9a-z]{26}$/),
      status: 'working',
      ttlMs: null,
      pollIntervalMs: 1000,
    });
    expect(created.result).not.toHaveProperty('task');
    const taskId = created.result?.['taskId'] as string;
    const done = await pollUntil(
      () => rpc('tasks/get', { taskId }),
      (a) => a.result?.['status'] !== 'working',
      30_000,
    );
    expect(done.result).toMatchObject({
      resultType: 'complete',
      taskId,
      status: 'completed',
      statusMessage: 'Order confirmed and its payment captured.',
      result: { structuredContent: { order: { id: taskId.slice('order_place:'.length), status: 'confirmed' }, done: true } },
    });
    // Without the extension declared, tasks/get is refused naming the capability it needs.
    expect((await rpc('tasks/get', { taskId }, {})).error).toMatchObject({ code: -32021, data: { requiredCapabilities: { extensions: { [TASKS]: {} } } } });
    const late = await rpc('tasks/cancel', { taskId });
    expect(late.error).toEqual(
      expect.objectContaining({
        code: -32602,
        message: "Cannot cancel task: already in terminal status 'completed': Order confirmed and its payment captured.",
      }),
    );
  }, 60_000);
});
