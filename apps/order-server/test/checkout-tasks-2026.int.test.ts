/**
 * order_place as an MCP Task for MCP 2026-07-28 clients: the `io.modelcontextprotocol/tasks` extension (SEP-2663),
 * on the order server and through the router. The SDK v2 client (@modelcontextprotocol/client 2.4.0) discovers the
 * extension, but its result decoder rejects `resultType: "task"` (it knows no tasks extension yet), so the task
 * exchanges go through its Streamable HTTP transport with the revision's envelope written here. Real server
 * processes, a payment proxy that holds an answer, real PostgreSQL, Redis and the dev identity provider.
 */
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from '@modelcontextprotocol/client';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '@mcpfed/db';
import { idempotencyKey } from '@mcpfed/testing';
import type { SpawnedServer } from '@mcpfed/testing';
import { startFaultProxy } from './fault-proxy.ts';
import type { FaultProxy } from './fault-proxy.ts';
import { ALL_TEST_SCOPES, startFederationStack } from './federation-stack.ts';
import type { FederationStack } from './federation-stack.ts';
import { pollUntil } from './money-rows.ts';

const MODERN = '2026-07-28';
const TASKS = 'io.modelcontextprotocol/tasks';
const SKU = 'TSK26-001';

let stack: FederationStack;
let proxy: FaultProxy;
let customerId: string;
const closers: (() => Promise<void>)[] = [];

interface Answer {
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

/** Requests in the 2026-07-28 envelope over the SDK v2 transport; `capabilities` are this client's, sent with each. */
async function modernRpc(url: string, token: string) {
  const transport = new ModernHttpTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  const pending = new Map<number, (answer: Answer) => void>();
  transport.onmessage = (message: JSONRPCMessage) => {
    const m = message as { id?: number; result?: Record<string, unknown>; error?: Answer['error'] };
    if (typeof m.id === 'number') pending.get(m.id)?.({ ...(m.result ? { result: m.result } : {}), ...(m.error ? { error: m.error } : {}) });
  };
  await transport.start();
  closers.push(() => transport.close());
  let next = 1;
  return (method: string, params: Record<string, unknown>, capabilities: Record<string, unknown> = { extensions: { [TASKS]: {} } }): Promise<Answer> => {
    const id = next++;
    const answered = new Promise<Answer>((resolve) => pending.set(id, resolve));
    const _meta = {
      'io.modelcontextprotocol/protocolVersion': MODERN,
      'io.modelcontextprotocol/clientCapabilities': capabilities,
      'io.modelcontextprotocol/clientInfo': { name: 'tasks-2026', version: '0.0.0' },
    };
    // An error answered with a status other than 400 (-32601 is 404) is thrown by the transport, its body in the message.
    return transport.send({ jsonrpc: '2.0', id, method, params: { ...params, _meta } } as JSONRPCMessage).then(
      () => answered,
      (thrown: unknown) => {
        const body = /^Error POSTing to endpoint: (\{.*\})$/s.exec(thrown instanceof Error ? thrown.message : '')?.[1];
        if (body === undefined) throw thrown;
        return { error: (JSON.parse(body) as { error: Answer['error'] }).error };
      },
    );
  };
}

type Rpc = Awaited<ReturnType<typeof modernRpc>>;

function placeArgs(quantity = 1) {
  return {
    name: 'order_place',
    arguments: { customer_id: customerId, lines: [{ sku: SKU, quantity }], payment_method: 'pm_card_visa', idempotency_key: idempotencyKey() },
  };
}

/** order_place from a client declaring the extension: the flat CreateTaskResult. */
async function placeAsTask(rpc: Rpc, quantity = 1): Promise<Record<string, unknown>> {
  const { result, error } = await rpc('tools/call', placeArgs(quantity));
  expect(error).toBeUndefined();
  expect(result).toMatchObject({
    resultType: 'task',
    taskId: expect.stringMatching(/^order_place:ord_\w+$/),
    status: 'working',
    ttlMs: null,
    pollIntervalMs: 1000,
  });
  expect(result).not.toHaveProperty('task');
  return result as Record<string, unknown>;
}

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
  const payments = await sql<{ status: string; amount_captured: string }>`SELECT status, amount_captured FROM payments WHERE order_ref = ${orderId}`.execute(
    stack.paymentDb.db,
  );
  return { order: order.rows[0], payments: payments.rows };
}

beforeAll(async () => {
  proxy = await startFaultProxy();
  stack = await startFederationStack({ label: 'tasks26', paymentUrlForOrder: proxy.url, withRouter: true });
  proxy.target = stack.payment.url;
  customerId = await stack.createCustomer();
  await stack.createProduct(SKU, 1500, 100);
}, 180_000);

afterAll(async () => {
  await Promise.all(closers.map((close) => close().catch(() => undefined)));
  await stack?.close();
  await proxy?.close();
});

const endpoints = [
  { name: 'order server', url: () => `${stack.order.url}/mcp`, audience: 'order' as const },
  { name: 'router', url: () => `${(stack.router as SpawnedServer).url}/mcp`, audience: 'router' as const },
];

describe.each(endpoints)('order_place as a 2026-07-28 Task via the $name', ({ url, audience }) => {
  const token = (subject = 'alice', scopes: readonly string[] = ALL_TEST_SCOPES) => stack.token({ audience, scopes, subject });

  it('announces the extension in server/discover and lists tools without the 2025-11-25 execution field', async () => {
    const client = new ModernClient({ name: 'tasks-2026', version: '0.0.0' }, { versionNegotiation: { mode: { pin: MODERN } } });
    await client.connect(new ModernHttpTransport(new URL(url()), { requestInit: { headers: { authorization: `Bearer ${await token()}` } } }));
    closers.push(() => client.close());
    expect(client.getServerCapabilities()?.extensions).toEqual({ [TASKS]: {} });
    expect(client.getServerCapabilities()).not.toHaveProperty('tasks');
    const listed = (await client.listTools(undefined, { cacheMode: 'bypass' })).tools.find((tool) => tool.name === 'order_place');
    expect(listed).toBeDefined();
    expect(listed).not.toHaveProperty('execution');
  });

  it('creates, polls and cancels before capture: the authorization is voided and the order failed as cancelled', async () => {
    const rpc = await modernRpc(url(), await token());
    const hold = gate();
    // Keys of the authorizations seen: an earlier test's checkout may still retry its own while this one runs.
    const authorizing = new Set<string>();
    proxy.hold = (call) => {
      if (call.tool !== 'payment_authorize') return undefined;
      authorizing.add(String(call.arguments['idempotency_key']));
      return hold.promise;
    };
    let taskId: string;
    try {
      taskId = (await placeAsTask(rpc, 2))['taskId'] as string;
      const prefix = `checkout:${taskId.slice('order_place:'.length)}:`;
      expect(
        await pollUntil(
          async () => [...authorizing].some((key) => key.startsWith(prefix)),
          (seen) => seen,
          20_000,
        ),
      ).toBe(true);
      const seen = await rpc('tasks/get', { taskId });
      expect(seen.result).toMatchObject({
        resultType: 'complete',
        taskId,
        status: 'working',
        statusMessage: 'Checkout step 3 of 6: authorize_payment.',
        ttlMs: null,
      });
      expect(seen.result).not.toHaveProperty('result');
      // The acknowledgement is empty in this revision.
      const ack = await rpc('tasks/cancel', { taskId });
      expect(ack.result?.['resultType']).toBe('complete');
      expect(Object.keys(ack.result ?? {}).filter((key) => key !== '_meta')).toEqual(['resultType']);
      const again = await rpc('tasks/cancel', { taskId });
      expect(again.error).toMatchObject({ code: -32602, message: expect.stringContaining("already in terminal status 'cancelled'") });
    } finally {
      hold.open();
      proxy.hold = () => undefined;
    }
    const orderId = taskId.slice('order_place:'.length);
    const ended = await pollUntil(
      () => rowsOf(orderId),
      (rows) => rows.order?.status === 'failed',
      30_000,
    );
    expect(ended.order).toEqual({ status: 'failed', failure_reason: 'cancelled' });
    expect(ended.payments).toEqual([{ status: 'voided', amount_captured: '0' }]);
    // tasks/get of the terminal task carries the final tool result inline.
    const done = await pollUntil(
      () => rpc('tasks/get', { taskId }),
      (a) => (a.result?.['statusMessage'] as string | undefined)?.includes('was voided') === true,
      30_000,
    );
    expect(done.result).toMatchObject({
      resultType: 'complete',
      taskId,
      status: 'cancelled',
      statusMessage: 'Cancelled: the authorization was voided and the stock released.',
    });
    expect((done.result?.['result'] as { structuredContent: unknown }).structuredContent).toMatchObject({
      order: { id: orderId, status: 'failed', failure_reason: 'cancelled' },
      done: true,
    });
  });

  it('refuses to cancel once the payment is being captured, saying why, and completes with the result inline', async () => {
    const rpc = await modernRpc(url(), await token());
    const hold = gate();
    const capturing = new Set<string>();
    proxy.hold = (call) => {
      if (call.tool !== 'payment_capture') return undefined;
      capturing.add(String(call.arguments['idempotency_key']));
      return hold.promise;
    };
    let taskId: string;
    try {
      taskId = (await placeAsTask(rpc))['taskId'] as string;
      const prefix = `checkout:${taskId.slice('order_place:'.length)}:`;
      expect(
        await pollUntil(
          async () => [...capturing].some((key) => key.startsWith(prefix)),
          (seen) => seen,
          20_000,
        ),
      ).toBe(true);
      const refused = await rpc('tasks/cancel', { taskId });
      expect(refused.error?.code).toBe(-32602);
      expect(refused.error?.message).toMatch(/^Cannot cancel task: The checkout of order ord_\w+ has confirmed the order and is capturing its payment/);
      expect((refused.error?.data as { details: { reason: string } }).details.reason).toBe('capture_in_progress');
    } finally {
      hold.open();
      proxy.hold = () => undefined;
    }
    const done = await pollUntil(
      () => rpc('tasks/get', { taskId }),
      (a) => a.result?.['status'] !== 'working',
      30_000,
    );
    expect(done.result).toMatchObject({
      resultType: 'complete',
      status: 'completed',
      result: { structuredContent: { order: { status: 'confirmed' }, done: true } },
    });
    const late = await rpc('tasks/cancel', { taskId });
    expect(late.error).toEqual(
      expect.objectContaining({
        code: -32602,
        message: "Cannot cancel task: already in terminal status 'completed': Order confirmed and its payment captured.",
      }),
    );
    expect((await rowsOf(taskId.slice('order_place:'.length))).payments).toEqual([{ status: 'captured', amount_captured: '1500' }]);
  });

  it('keeps tasks from clients that do not declare the extension, has no tasks/result, and hides others\u2019 tasks', async () => {
    const rpc = await modernRpc(url(), await token());
    // No extension declared: the call runs as before (wait_ms, then the order or pending), never a task.
    const plain = await rpc('tools/call', placeArgs(), {});
    expect(plain.result).toMatchObject({ resultType: 'complete', structuredContent: { order: { status: expect.any(String) } } });
    const taskId = (await placeAsTask(rpc))['taskId'] as string;
    expect((await rpc('tasks/get', { taskId }, {})).error).toMatchObject({ code: -32021, data: { requiredCapabilities: { extensions: { [TASKS]: {} } } } });
    expect((await rpc('tasks/result', { taskId })).error).toMatchObject({ code: -32601 });
    const mallory = await modernRpc(url(), await token('mallory'));
    expect((await mallory('tasks/get', { taskId })).error).toEqual(
      expect.objectContaining({ code: -32602, message: `Failed to retrieve task: Task not found (${taskId})` }),
    );
    expect((await mallory('tasks/cancel', { taskId })).error).toMatchObject({ code: -32602 });
    await pollUntil(
      () => rpc('tasks/get', { taskId }),
      (a) => a.result?.['status'] !== 'working',
      30_000,
    );
  });
});
