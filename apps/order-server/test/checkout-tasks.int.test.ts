/**
 * order_place as an MCP Task (2025-11-25 task utility), driven by the SDK v1 Client over HTTP against real server
 * processes: two order server replicas on one database, the checkout's payment calls through a proxy that can hold
 * an answer (the call took effect, its answer is late), real PostgreSQL, Redis and the dev identity provider.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, CreateTaskResultSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '@mcpfed/db';
import { idempotencyKey } from '@mcpfed/testing';
import type { SpawnedServer } from '@mcpfed/testing';
import { startFaultProxy } from './fault-proxy.ts';
import type { FaultProxy } from './fault-proxy.ts';
import { ALL_TEST_SCOPES, startFederationStack } from './federation-stack.ts';
import type { FederationStack } from './federation-stack.ts';
import { pollUntil } from './money-rows.ts';

let stack: FederationStack;
let proxy: FaultProxy;
let replica: SpawnedServer;
let customerId: string;
const clients: Client[] = [];

const SKU = 'TSK-001';

/** An SDK client of one order server process (or the router) as `subject` (every test scope unless `scopes`). */
async function connect(
  server: { url: string },
  subject: string,
  audience: 'order' | 'router' = 'order',
  scopes: readonly string[] = ALL_TEST_SCOPES,
): Promise<Client> {
  const token = await stack.token({ audience, scopes, subject });
  const client = new Client({ name: 'task-test', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  clients.push(client);
  return client;
}

/** order_place as a task; the CreateTaskResult's task. */
async function placeAsTask(client: Client, quantity = 1) {
  const created = await client.request(
    {
      method: 'tools/call',
      params: {
        name: 'order_place',
        arguments: { customer_id: customerId, lines: [{ sku: SKU, quantity }], payment_method: 'pm_card_visa', idempotency_key: idempotencyKey() },
      },
    },
    CreateTaskResultSchema,
    { task: {} },
  );
  return created.task;
}

/** A promise the proxy holds one call's answer on, and the function that lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

async function rowsOf(orderId: string) {
  const order = await sql<{ status: string; failure_reason: string | null }>`SELECT status, failure_reason FROM orders WHERE id = ${orderId}`.execute(
    stack.orderDb.db,
  );
  const saga = await sql<{
    status: string;
    failure_reason: string | null;
  }>`SELECT status, failure_reason FROM checkout_sagas WHERE order_id = ${orderId}`.execute(stack.orderDb.db);
  const payments = await sql<{ status: string; amount_captured: string }>`SELECT status, amount_captured FROM payments WHERE order_ref = ${orderId}`.execute(
    stack.paymentDb.db,
  );
  const reservations = await sql<{ status: string }>`SELECT status FROM reservations WHERE order_reference = ${orderId}`.execute(stack.productDb.db);
  const stock = await sql<{ on_hand: number; reserved: number }>`SELECT on_hand, reserved FROM inventory_levels WHERE sku = ${SKU}`.execute(stack.productDb.db);
  return { order: order.rows[0], saga: saga.rows[0], payments: payments.rows, reservations: reservations.rows, stock: stock.rows[0] };
}

/** The JSON-RPC error a call answered (its message without the SDK's `MCP error <code>: ` prefix). */
async function rpcError(call: Promise<unknown>): Promise<{ code: number; message: string; data: unknown }> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof McpError)) throw new Error(`expected a JSON-RPC error, got ${JSON.stringify(error)}`);
  return { code: error.code, message: error.message.replace(/^MCP error -?\d+: /, ''), data: error.data };
}

beforeAll(async () => {
  proxy = await startFaultProxy();
  stack = await startFederationStack({ label: 'tasks', paymentUrlForOrder: proxy.url, withRouter: true });
  proxy.target = stack.payment.url;
  replica = await stack.orderReplica();
  customerId = await stack.createCustomer();
  await stack.createProduct(SKU, 1500, 100);
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await stack?.close();
  await proxy?.close();
});

describe('order_place as an MCP Task', () => {
  it('is announced: the tasks capability for tools/call and execution.taskSupport optional on order_place only', async () => {
    const client = await connect(stack.order, 'alice');
    expect(client.getServerCapabilities()?.tasks).toEqual({ cancel: {}, requests: { tools: { call: {} } } });
    const { tools } = await client.listTools();
    expect(tools.filter((tool) => tool.execution?.taskSupport !== undefined).map((tool) => [tool.name, tool.execution?.taskSupport])).toEqual([
      ['order_place', 'optional'],
    ]);
  });

  it('returns a task at once, reports the saga as it runs, and tasks/result gives the final order_place result', async () => {
    const client = await connect(stack.order, 'alice');
    const task = await placeAsTask(client);
    expect(task.taskId).toMatch(/^order_place:ord_[0-9a-z]{26}$/);
    expect(task.status).toBe('working');
    expect(task.ttl).toBeNull();
    expect(task.pollInterval).toBe(1000);
    const orderId = task.taskId.slice('order_place:'.length);
    const final = await pollUntil(
      () => client.experimental.tasks.getTask(task.taskId),
      (t) => t.status !== 'working',
      30_000,
    );
    expect(final).toMatchObject({
      taskId: task.taskId,
      status: 'completed',
      statusMessage: 'Order confirmed and its payment captured.',
      createdAt: task.createdAt,
    });
    const result = await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(result.isError).toBeUndefined();
    expect(result._meta).toEqual({ 'io.modelcontextprotocol/related-task': { taskId: task.taskId } });
    expect(result.structuredContent).toMatchObject({
      order: { id: orderId, status: 'confirmed', total_amount: 1500, payment: { amount_captured: 1500 } },
      done: true,
      replayed: false,
    });
    expect(result.content).toContainEqual({
      type: 'resource_link',
      uri: `order://${orderId}`,
      name: orderId,
      title: `Order ${orderId}`,
      mimeType: 'application/json',
    });
    const rows = await rowsOf(orderId);
    expect(rows.saga).toEqual({ status: 'completed', failure_reason: null });
    expect(rows.payments).toEqual([{ status: 'captured', amount_captured: '1500' }]);
  });

  it('keeps the call as it was for a client that does not ask for a task: wait_ms, then pending', async () => {
    const client = await connect(stack.order, 'alice');
    const hold = gate();
    proxy.hold = (call) => (call.tool === 'payment_authorize' ? hold.promise : undefined);
    try {
      const answer = await client.callTool({
        name: 'order_place',
        arguments: {
          customer_id: customerId,
          lines: [{ sku: SKU, quantity: 1 }],
          payment_method: 'pm_card_visa',
          idempotency_key: idempotencyKey(),
          wait_ms: 300,
        },
      });
      expect(answer.isError).toBeUndefined();
      expect(answer.structuredContent).toMatchObject({ order: { status: 'pending' }, done: false, replayed: false });
      expect(answer['task']).toBeUndefined();
    } finally {
      hold.open();
      proxy.hold = () => undefined;
    }
  });

  it('cancels a checkout before capture through the other replica: the authorization is voided and the stock released', async () => {
    const owner = await connect(stack.order, 'alice');
    const other = await connect(replica, 'alice');
    const hold = gate();
    // Keys of the authorizations seen: an earlier test's checkout may still retry its own while this one runs.
    const authorizing = new Set<string>();
    proxy.hold = (call) => {
      if (call.tool !== 'payment_authorize') return undefined;
      authorizing.add(String(call.arguments['idempotency_key']));
      return hold.promise;
    };
    let orderId: string;
    try {
      const task = await placeAsTask(owner, 3);
      orderId = task.taskId.slice('order_place:'.length);
      // The authorization is made at the payment server; its answer waits at the proxy.
      const ours = (keys: Set<string>) => [...keys].some((key) => key.startsWith(`checkout:${orderId}:`));
      expect(
        await pollUntil(
          async () => ours(authorizing),
          (seen) => seen,
          20_000,
        ),
      ).toBe(true);
      const seen = await other.experimental.tasks.getTask(task.taskId);
      expect(seen).toMatchObject({ status: 'working', statusMessage: 'Checkout step 3 of 6: authorize_payment.' });
      const cancelled = await other.experimental.tasks.cancelTask(task.taskId);
      expect(cancelled).toMatchObject({
        taskId: task.taskId,
        status: 'cancelled',
        statusMessage: 'Cancelled: voiding the authorization and releasing the stock.',
      });
      // Cancelled stays cancelled, and a second cancel is refused as for any terminal task.
      const again = await rpcError(owner.experimental.tasks.cancelTask(task.taskId));
      expect(again.code).toBe(-32602);
      expect(again.message).toContain("already in terminal status 'cancelled'");
    } finally {
      hold.open();
      proxy.hold = () => undefined;
    }
    // rowsOf reads the rows one after the other; the saga and the order end in one transaction: wait for both.
    const ended = await pollUntil(
      () => rowsOf(orderId),
      (rows) => rows.saga?.status === 'failed' && rows.order?.status === 'failed',
      30_000,
    );
    expect(ended.saga).toEqual({ status: 'failed', failure_reason: 'cancelled' });
    expect(ended.order).toEqual({ status: 'failed', failure_reason: 'cancelled' });
    expect(ended.payments).toEqual([{ status: 'voided', amount_captured: '0' }]);
    expect(ended.reservations).toEqual([{ status: 'released' }]);
    expect(ended.stock?.reserved).toBe(0);
    // The cancel is audited like a write: who, which task, the outcome; the refused second cancel too (refusals are
    // batched, so it may land up to a second later).
    const audit = await pollUntil(
      async () =>
        (
          await sql<{ outcome: string; args: unknown }>`
            SELECT outcome, args FROM mcp_audit_log WHERE tool = 'tasks/cancel' AND principal_id = 'alice' AND args ->> 'taskId' = ${`order_place:${orderId}`}
             ORDER BY at, outcome`.execute(stack.orderDb.db)
        ).rows,
      (rows) => rows.length >= 2,
      10_000,
    );
    expect(audit).toEqual([
      { outcome: 'ok', args: { taskId: `order_place:${orderId}` } },
      { outcome: 'PRECONDITION_FAILED', args: { taskId: `order_place:${orderId}` } },
    ]);
    const task = await owner.experimental.tasks.getTask(`order_place:${orderId}`);
    expect(task).toMatchObject({ status: 'cancelled', statusMessage: 'Cancelled: the authorization was voided and the stock released.' });
    const result = await other.experimental.tasks.getTaskResult(`order_place:${orderId}`, CallToolResultSchema);
    expect(result.structuredContent).toMatchObject({ order: { id: orderId, status: 'failed', failure_reason: 'cancelled' }, done: true });
  });

  it('refuses to cancel a checkout whose payment is being captured or was captured, saying why; nothing is undone', async () => {
    const client = await connect(replica, 'alice');
    const hold = gate();
    const capturing = new Set<string>();
    proxy.hold = (call) => {
      if (call.tool !== 'payment_capture') return undefined;
      capturing.add(String(call.arguments['idempotency_key']));
      return hold.promise;
    };
    let taskId: string;
    try {
      taskId = (await placeAsTask(client)).taskId;
      const orderId = taskId.slice('order_place:'.length);
      expect(
        await pollUntil(
          async () => [...capturing].some((key) => key.startsWith(`checkout:${orderId}:`)),
          (seen) => seen,
          20_000,
        ),
      ).toBe(true);
      const refused = await rpcError(client.experimental.tasks.cancelTask(taskId));
      expect(refused.code).toBe(-32602);
      expect(refused.message).toMatch(/^Cannot cancel task: The checkout of order ord_\w+ has confirmed the order and is capturing its payment/);
      expect((refused.data as { code: string; details: { reason: string } }).code).toBe('PRECONDITION_FAILED');
      expect((refused.data as { details: { reason: string } }).details.reason).toBe('capture_in_progress');
    } finally {
      hold.open();
      proxy.hold = () => undefined;
    }
    const refusedAudit = await sql<{ outcome: string }>`
      SELECT outcome FROM mcp_audit_log WHERE tool = 'tasks/cancel' AND args ->> 'taskId' = ${taskId}`.execute(stack.orderDb.db);
    expect(refusedAudit.rows).toEqual([{ outcome: 'PRECONDITION_FAILED' }]);
    const done = await pollUntil(
      () => client.experimental.tasks.getTask(taskId),
      (t) => t.status !== 'working',
      30_000,
    );
    expect(done.status).toBe('completed');
    const late = await rpcError(client.experimental.tasks.cancelTask(taskId));
    expect(late.code).toBe(-32602);
    expect(late.message).toBe("Cannot cancel task: already in terminal status 'completed': Order confirmed and its payment captured.");
    const rows = await rowsOf(taskId.slice('order_place:'.length));
    expect(rows.order).toEqual({ status: 'confirmed', failure_reason: null });
    expect(rows.payments).toEqual([{ status: 'captured', amount_captured: '1500' }]);
  });

  it('is visible only to the principal that created it: another caller can neither read, await nor cancel it', async () => {
    const owner = await connect(stack.order, 'alice');
    const mallory = await connect(replica, 'mallory');
    const hold = gate();
    proxy.hold = (call) => (call.tool === 'payment_authorize' ? hold.promise : undefined);
    try {
      const task = await placeAsTask(owner);
      for (const attempt of [
        () => mallory.experimental.tasks.getTask(task.taskId),
        () => mallory.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema),
        () => mallory.experimental.tasks.cancelTask(task.taskId),
      ]) {
        const error = await rpcError(attempt());
        expect(error.code).toBe(-32602);
        expect(error.message).toBe(`Failed to retrieve task: Task not found (${task.taskId})`);
      }
      // The order server itself (not only the router) refuses its own principal without order_place's scope.
      const reader = await connect(stack.order, 'alice', 'order', ['order:read']);
      for (const attempt of [
        () => reader.experimental.tasks.getTask(task.taskId),
        () => reader.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema),
        () => reader.experimental.tasks.cancelTask(task.taskId),
      ]) {
        expect(await rpcError(attempt())).toEqual({ code: -32602, message: `Failed to retrieve task: Task not found (${task.taskId})`, data: undefined });
      }
      // The same answer as for a task that does not exist, and for ids this server never hands out.
      expect((await rpcError(mallory.experimental.tasks.getTask('order_place:ord_00000000000000000000000000'))).message).toBe(
        'Failed to retrieve task: Task not found (order_place:ord_00000000000000000000000000)',
      );
      expect((await rpcError(mallory.experimental.tasks.getTask("order_get:x'; DROP TABLE orders"))).code).toBe(-32602);
      expect((await owner.experimental.tasks.getTask(task.taskId)).status).toBe('working');
    } finally {
      hold.open();
      proxy.hold = () => undefined;
    }
  });

  it('refuses a task-augmented call of a tool without task support (-32601) and answers a refused order_place as its error', async () => {
    const client = await connect(stack.order, 'alice');
    const notTask = await rpcError(
      client.request(
        { method: 'tools/call', params: { name: 'order_get', arguments: { order_id: 'ord_00000000000000000000000000' } } },
        CreateTaskResultSchema,
        { task: {} },
      ),
    );
    expect(notTask.code).toBe(-32601);
    const refused = await rpcError(
      client.request(
        {
          method: 'tools/call',
          params: {
            name: 'order_place',
            arguments: {
              customer_id: customerId,
              lines: [{ sku: 'TSK-MISSING', quantity: 1 }],
              payment_method: 'pm_card_visa',
              idempotency_key: idempotencyKey(),
            },
          },
        },
        CreateTaskResultSchema,
        { task: {} },
      ),
    );
    expect(refused.code).toBe(-32002);
    expect((refused.data as { code: string; details: unknown }).code).toBe('NOT_FOUND');
  });

  it('works through the router, which routes tasks/* to the server of the tool named in the task id', async () => {
    const router = stack.router as SpawnedServer;
    const client = await connect(router, 'alice', 'router');
    expect(client.getServerCapabilities()?.tasks).toEqual({ cancel: {}, requests: { tools: { call: {} } } });
    const listed = (await client.listTools()).tools.find((tool) => tool.name === 'order_place');
    expect(listed?.execution).toEqual({ taskSupport: 'optional' });
    const hold = gate();
    proxy.hold = (call) => (call.tool === 'payment_authorize' ? hold.promise : undefined);
    let taskId: string;
    try {
      taskId = (await placeAsTask(client)).taskId;
      expect((await client.experimental.tasks.getTask(taskId)).status).toBe('working');
      // Another principal through the router, and a caller without order:write, learn nothing.
      const mallory = await connect(router, 'mallory', 'router');
      expect(await rpcError(mallory.experimental.tasks.getTask(taskId))).toMatchObject({
        code: -32602,
        message: `Failed to retrieve task: Task not found (${taskId})`,
      });
      const reader = await connect(router, 'alice', 'router', ['order:read']);
      expect(await rpcError(reader.experimental.tasks.cancelTask(taskId))).toMatchObject({
        code: -32602,
        message: `Failed to retrieve task: Task not found (${taskId})`,
      });
      expect(await rpcError(client.experimental.tasks.getTask('customer_nope:abc'))).toMatchObject({ code: -32602 });
    } finally {
      hold.open();
      proxy.hold = () => undefined;
    }
    const result = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    expect(result.structuredContent).toMatchObject({ order: { status: 'confirmed' }, done: true });
    expect(result._meta).toEqual({ 'io.modelcontextprotocol/related-task': { taskId } });
  });
});
