/**
 * Issues 11.11 and 12.2 against the four real servers and the router as processes: a tool that takes longer than
 * the router's default timeout but less than its own deadline succeeds through the router, and slow calls of one
 * tool leave the upstream's other tools up; one caller's hostile payloads never take an upstream down for others.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, expectToolError, expectToolOk, idempotencyKey } from '@mcpfed/testing';
import { FEDERATION_SCOPES } from '../src/config.ts';
import { spawnFederation } from './fixtures/spawn-federation.ts';
import type { SpawnedFederation } from './fixtures/spawn-federation.ts';

let federation: SpawnedFederation;
let customerId: string;

async function text(url: string): Promise<string> {
  return (await fetch(url)).text();
}

/** The sum of a Prometheus counter's series whose labels contain `labels`. */
function counter(metrics: string, name: string, labels: string): number {
  return metrics
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

function breakerState(metrics: string, upstream: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith('router_upstream_breaker_state{') && l.includes(`upstream="${upstream}"`));
  return Number(line?.slice(line.lastIndexOf(' ') + 1));
}

/** POSTs `body` (JSON text) to the router as one caller and returns the HTTP status and the parsed answer. */
async function raw(body: string, token: string): Promise<{ status: number; answer: Record<string, unknown> }> {
  const response = await fetch(`${federation.router.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
    body,
  });
  return { status: response.status, answer: (await response.json()) as Record<string, unknown> };
}

const call = (params: string) => `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":${params}}`;
const deep = (depth: number) => `${'{"a":'.repeat(depth)}"leaf"${'}'.repeat(depth)}`;

/** Payloads the router must answer itself: nothing of them reaches the upstream. */
const ANSWERED_BY_ROUTER = [
  call(`{"name":"customer_get","arguments":{"id":${deep(10_000)}}}`),
  '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":[]}',
  call('{"name":"customer_get","arguments":{},"_meta":[]}'),
  call('{"name":"customer_get","arguments":{},"_meta":{"progressToken":{"a":1}}}'),
  call('{"name":"customer_get","arguments":[1,2]}'),
  call('{"arguments":{}}'),
  `{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"customer://x","x":${deep(10_000)}}}`,
];

/** Hostile arguments the router passes on: the upstream answers each with a structured error. */
function forwardedHostile(id: string): string[] {
  return [
    call(JSON.stringify({ name: 'customer_get', arguments: { id: `${id}\u0000` } })),
    call('{"name":"customer_get","arguments":{"id":"\\ud800\\udfff\\udc00"}}'),
    call(JSON.stringify({ name: 'customer_get', arguments: { id: 'x'.repeat(1024 * 1024) } })),
    call(`{"name":"customer_get","arguments":{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}},"id":"${id}"}}`),
    `{"jsonrpc":"2.0","id":1,"method":"tools/call","__proto__":{"x":1},"params":{"name":"customer_search","arguments":{"query":"' OR 1=1 --\\u0000"}}}`,
  ];
}

beforeAll(async () => {
  // The order server may wait 9 s for the product server (its order_quote deadline is 10 s); no catalog refresh
  // interferes with the upstreams' request counters.
  federation = await spawnFederation({ name: 'f', orderEnv: { UPSTREAM_TIMEOUT_MS: '9000' }, routerEnv: { ROUTER_REFRESH_INTERVAL_MS: '600000' } });
  const admin = await federation.connect(FEDERATION_SCOPES);
  const created = await expectToolOk<{ customer: { id: string } }>(admin, 'customer_create', {
    email: `${idempotencyKey()}@example.com`,
    first_name: 'Fault',
    last_name: 'Tolerant',
    addresses: [{ kind: 'shipping', line1: 'Hauptstr. 1', city: 'Berlin', postal_code: '10115', country: 'DE' }],
  });
  customerId = created.customer.id;
}, 120_000);

afterAll(async () => {
  await federation?.close();
}, 60_000);

describe('deadlines through the router', () => {
  it("waits for a tool as long as its server's deadline, and slow calls of one tool leave the upstream's other tools up", async () => {
    const agent = await federation.connect(['order:read', 'customer:read', 'customer:any'], 'quoting-agent');
    // order_quote (deadline 10 s) now waits 5.5 s for the product server: longer than the router's 5 s default.
    federation.productProxy.delayMs = 5500;
    const started = Date.now();
    const quotes = await Promise.all(
      Array.from({ length: 6 }, () => callTool(agent, 'order_quote', { customer_id: customerId, lines: [{ sku: 'NO-SUCH-SKU', quantity: 1 }] })),
    );
    federation.productProxy.delayMs = 0;
    expect(Date.now() - started).toBeGreaterThanOrEqual(5500);
    for (const quote of quotes) {
      expect(quote.isError).toBeUndefined();
      expect(quote.structuredContent).toMatchObject({ customer_id: customerId, can_place: false, problems: [{ code: 'sku_not_found', sku: 'NO-SUCH-SKU' }] });
    }
    expect((await expectToolError(agent, 'order_get', { order_number: 987_654 })).code).toBe('NOT_FOUND');
    const metrics = await text(`${federation.router.url}/metrics`);
    expect(breakerState(metrics, 'order')).toBe(0);
    expect(counter(metrics, 'mcp_tool_calls_total', 'tool="order_quote",outcome="ok"')).toBe(6);
  }, 60_000);
});

describe('hostile payloads through the router', () => {
  it('answers what it can itself with structured errors, and the upstream never sees those requests', async () => {
    const attacker = await federation.token(['customer:read'], 'attacker');
    const posts = async () => counter(await text(`${federation.servers.customer.url}/metrics`), 'mcp_http_requests_total', 'method="POST"');
    const before = await posts();
    for (const body of ANSWERED_BY_ROUTER) {
      const { status, answer } = await raw(body, attacker);
      const result = answer['result'] as { structuredContent?: { error?: { code?: string } } } | undefined;
      const code = result?.structuredContent?.error?.code ?? (answer['error'] as { code?: number } | undefined)?.code;
      // A malformed message is refused at the edge with 400 and -32600 (the servers' own rule); anything else is a
      // JSON-RPC or tool error on 200.
      if (status === 400) expect(code).toBe(-32600);
      else {
        expect(status).toBe(200);
        expect([-32602, 'VALIDATION_FAILED']).toContain(code);
      }
    }
    expect(await posts()).toBe(before);
    expect((await fetch(`${federation.router.url}/healthz`)).status).toBe(200);
  });

  it("keeps another caller's reads at 100% while one caller sends hostile payloads at a steady rate", async () => {
    const victim = await federation.connect(['customer:read', 'customer:any'], 'victim');
    const attacker = await federation.token(['customer:read'], 'attacker');
    const hostile = [...ANSWERED_BY_ROUTER, ...forwardedHostile(customerId)];
    const answers: Array<{ status: number; answer: Record<string, unknown> }> = [];
    let done = false;
    const attack = (async () => {
      for (let i = 0; !done; i++) {
        answers.push(await raw(hostile[i % hostile.length] as string, attacker));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const CALLS = 150;
    let succeeded = 0;
    for (let i = 0; i < CALLS; i++) {
      const result = await callTool(victim, 'customer_get', { id: customerId });
      if (result.isError === undefined && (result.structuredContent as { id?: string }).id === customerId) succeeded++;
      // Paced like a steady reader, so the attack runs through every payload several times meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    done = true;
    await attack;
    expect(succeeded).toBe(CALLS);
    expect(answers.length).toBeGreaterThanOrEqual(2 * hostile.length);
    for (const { status, answer } of answers) {
      expect([200, 400]).toContain(status);
      const result = answer['result'] as { isError?: boolean; structuredContent?: { error?: { code?: string } } } | undefined;
      const error = answer['error'] as { code?: number } | undefined;
      expect(result?.isError === true ? typeof result.structuredContent?.error?.code : typeof error?.code).toMatch(/^(string|number)$/);
    }
    const metrics = await text(`${federation.router.url}/metrics`);
    expect(breakerState(metrics, 'customer')).toBe(0);
    const status = (await (await fetch(`${federation.router.url}/status`)).json()) as {
      upstreams: Array<{ name: string; available: boolean; breaker: string }>;
    };
    expect(status.upstreams.find((u) => u.name === 'customer')).toMatchObject({ available: true, breaker: 'closed' });
  }, 60_000);
});
