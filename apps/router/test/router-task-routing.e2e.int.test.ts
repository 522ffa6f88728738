/**
 * tasks/get, tasks/result and tasks/cancel go to the upstream of the tool their task id names (`<tool>:<id>`). A task
 * id naming a tool that runs no tasks (the customer server announces none) is answered "task not found" by the router
 * itself, as an upstream answers an unknown task, in both revisions, and never forwarded: forwarded, the customer
 * server's -32601 (404 in 2026-07-28) counted against its circuit breaker, so any reader could open it. The breaker
 * here opens after 2 faults. Task ids of order_place still reach the order server.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CreateTaskResultSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKey } from '@mcpfed/testing';
import { FEDERATION_SCOPES } from '../src/config.ts';
import { spawnFederation } from './fixtures/spawn-federation.ts';
import type { SpawnedFederation } from './fixtures/spawn-federation.ts';

const MODERN = '2026-07-28';
const TASKS = 'io.modelcontextprotocol/tasks';
const envelope = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientCapabilities': { extensions: { [TASKS]: {} } },
  'io.modelcontextprotocol/clientInfo': { name: 'task-routing', version: '0.0.0' },
};
/** An order id of the right shape that no order has. */
const NO_ORDER = `ord_${'0'.repeat(26)}`;
const ATTEMPTS = 8;

let federation: SpawnedFederation;
let admin: Client;
let reader: Client;
let readerToken: string;
let adminToken: string;
let customerId: string;
const sku = `TSK-${idempotencyKey().slice(0, 8).toUpperCase()}`;

const notFound = (taskId: string) => `Failed to retrieve task: Task not found (${taskId})`;

/** A 2026-07-28 tasks/* request, as raw HTTP: the status and the JSON-RPC answer. */
async function modernTask(token: string, id: number, method: string, taskId: string) {
  const res = await fetch(`${federation.router.url}/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${token}`,
      'mcp-protocol-version': MODERN,
      'mcp-method': method,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params: { taskId, _meta: envelope } }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** The JSON-RPC error a 2025-11-25 SDK call failed with. */
async function rpcError(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof McpError)) throw new Error(`expected a JSON-RPC error, got ${JSON.stringify(error)}`);
  return { code: error.code, message: error.message.replace(/^MCP error -?\d+: /, '') };
}

/** The sum of the router's series `name` whose labels include every one of `labels`. */
async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${federation.router.url}/metrics`)).text();
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && wanted.every((label) => line.includes(label)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Requests the router forwarded to `upstream` for the tasks/* methods. */
async function forwardedTasks(upstream: string): Promise<number> {
  let sum = 0;
  for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel'])
    sum += await metric('router_upstream_request_duration_seconds_count', { upstream, method });
  return sum;
}

async function customerStatus(): Promise<{ available: boolean; breaker: string }> {
  const status = (await (await fetch(`${federation.router.url}/status`)).json()) as { upstreams: Array<{ name: string; available: boolean; breaker: string }> };
  return status.upstreams.find((u) => u.name === 'customer') as { available: boolean; breaker: string };
}

beforeAll(async () => {
  federation = await spawnFederation({ name: 'tsk', routerEnv: { ROUTER_BREAKER_FAILURES: '2' } });
  adminToken = await federation.token(FEDERATION_SCOPES, 'tsk-admin');
  readerToken = await federation.token(['customer:read', 'customer:any'], 'tsk-reader');
  admin = await federation.connect(FEDERATION_SCOPES, 'tsk-admin');
  reader = await federation.connect(['customer:read', 'customer:any'], 'tsk-reader');
  const tag = idempotencyKey().slice(0, 8);
  const created = await admin.callTool({
    name: 'customer_create',
    arguments: {
      email: `tsk${tag}@example.com`,
      first_name: 'Task',
      last_name: 'Routing',
      addresses: [{ kind: 'shipping', line1: 'Hauptstr. 1', city: 'Berlin', postal_code: '10115', country: 'DE' }],
    },
  });
  customerId = (created.structuredContent as { customer: { id: string } }).customer.id;
  expect(
    (
      await admin.callTool({
        name: 'product_create',
        arguments: { sku, name: 'Task routing lamp', category: 'test-goods', price: { amount: 1500, currency: 'EUR' } },
      })
    ).isError,
  ).toBeFalsy();
  expect(
    (
      await admin.callTool({
        name: 'inventory_adjust',
        arguments: { sku, location: 'BER-1', delta: 10, reason: 'received', idempotency_key: idempotencyKey() },
      })
    ).isError,
  ).toBeFalsy();
}, 180_000);

afterAll(async () => {
  await federation?.close();
});

describe('tasks/* of a tool that runs no tasks', () => {
  it('are answered task-not-found by the router in both revisions, never reach the customer server, and leave its breaker closed', async () => {
    for (let i = 0; i < ATTEMPTS; i++) {
      const taskId = `customer_get:cus_${i}`;
      expect(await rpcError(reader.experimental.tasks.getTask(taskId))).toEqual({ code: -32602, message: notFound(taskId) });
      const modern = await modernTask(readerToken, 100 + i, 'tasks/get', taskId);
      expect(modern).toEqual({ status: 200, json: { jsonrpc: '2.0', id: 100 + i, error: { code: -32602, message: notFound(taskId) } } });
    }
    expect(await rpcError(reader.experimental.tasks.cancelTask('customer_get:cus_x'))).toEqual({ code: -32602, message: notFound('customer_get:cus_x') });
    expect((await modernTask(readerToken, 200, 'tasks/cancel', 'customer_get:cus_x')).json).toMatchObject({
      error: { code: -32602, message: notFound('customer_get:cus_x') },
    });
    expect(await forwardedTasks('customer')).toBe(0);
    expect(await metric('router_upstream_errors_total', { upstream: 'customer' })).toBe(0);
    expect(await customerStatus()).toEqual(expect.objectContaining({ available: true, breaker: 'closed' }));
    expect(await metric('router_upstream_breaker_state', { upstream: 'customer' })).toBe(0);
    const got = await reader.callTool({ name: 'customer_get', arguments: { id: customerId } });
    expect(got.isError).toBeFalsy();
    expect(got.structuredContent).toMatchObject({ id: customerId });
  });

  it('answer exactly as the order server answers an unknown task of its own', async () => {
    const own = `order_place:${NO_ORDER}`;
    const before = await forwardedTasks('order');
    const legacy = await rpcError(admin.experimental.tasks.getTask(own));
    const modern = await modernTask(adminToken, 300, 'tasks/get', own);
    // Both reached the order server, which answered them.
    expect(await forwardedTasks('order')).toBe(before + 2);
    expect(legacy).toEqual({ code: -32602, message: notFound(own) });
    expect(modern).toEqual({ status: 200, json: { jsonrpc: '2.0', id: 300, error: { code: -32602, message: notFound(own) } } });
    const foreign = `customer_get:${NO_ORDER}`;
    expect(await rpcError(admin.experimental.tasks.getTask(foreign))).toEqual({ ...legacy, message: notFound(foreign) });
    expect((await modernTask(adminToken, 301, 'tasks/get', foreign)).json).toEqual({
      ...modern.json,
      id: 301,
      error: { code: -32602, message: notFound(foreign) },
    });
  });
});

describe('tasks/* of order_place', () => {
  it('still go to the order server: a placed order is polled to its end through the router', async () => {
    const before = await forwardedTasks('order');
    const created = await admin.request(
      {
        method: 'tools/call',
        params: {
          name: 'order_place',
          arguments: { customer_id: customerId, lines: [{ sku, quantity: 1 }], payment_method: 'pm_card_visa', idempotency_key: idempotencyKey() },
        },
      },
      CreateTaskResultSchema,
      { task: {} },
    );
    const taskId = created.task.taskId;
    expect(taskId).toMatch(/^order_place:ord_[0-9a-z]{26}$/);
    let task = await admin.experimental.tasks.getTask(taskId);
    for (const until = Date.now() + 30_000; task.status === 'working' && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      task = await admin.experimental.tasks.getTask(taskId);
    }
    expect(task).toMatchObject({ taskId, status: 'completed' });
    const modern = await modernTask(adminToken, 400, 'tasks/get', taskId);
    expect(modern.json).toMatchObject({ id: 400, result: { resultType: 'complete', taskId, status: 'completed' } });
    expect(await forwardedTasks('order')).toBeGreaterThanOrEqual(before + 2);
  }, 60_000);
});
