import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientCredentialsTokenSource } from '@mcpfed/auth';
import type { ServiceTokenRequest, ServiceTokenSource } from '@mcpfed/auth';
import { createLogger, createMetrics } from '@mcpfed/telemetry';
import type { Metrics } from '@mcpfed/telemetry';
import { createTestDatabase } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { createFederationClient } from '../src/index.ts';
import type { FederationClient, FederationClientConfig } from '../src/index.ts';
import {
  CALLER_AUDIENCE,
  echoMigrations,
  echoRecord,
  echoSay,
  echoShape,
  echoShapeAsCaller,
  echoWait,
  startIssuer,
  startUpstream,
} from './fixtures/echo-upstream.ts';
import type { EchoDb, RunningIssuer, RunningUpstream } from './fixtures/echo-upstream.ts';

let tdb: TestDatabase<EchoDb>;
let issuer: RunningIssuer;
let upstream: RunningUpstream;
let tokens: ServiceTokenSource;
const clients: FederationClient[] = [];
const logger = createLogger({ name: 'federation-test', level: process.env['MCPFED_TEST_LOGS'] ? 'debug' : 'silent' });

beforeAll(async () => {
  tdb = await createTestDatabase<EchoDb>({ name: 'federation', migrations: echoMigrations });
  issuer = await startIssuer();
  upstream = await startUpstream(tdb.db, issuer);
  tokens = createClientCredentialsTokenSource({
    tokenUrl: issuer.tokenUrl,
    clientId: issuer.clientId,
    clientSecret: issuer.clientSecret,
    scopes: ['customer:read', 'customer:write'],
  });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await upstream?.stop();
  await issuer?.stop();
  await tdb?.drop();
});

function client(overrides: Partial<FederationClientConfig> = {}): FederationClient {
  const created = createFederationClient({
    name: 'echo',
    url: upstream.url,
    tokens,
    logger,
    retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 },
    ...overrides,
  });
  clients.push(created);
  return created;
}

let keys = 0;
const key = (label: string) => `${label}-${++keys}`;
/** A caller's token as the calling service received it: addressed to that service, not to the upstream. */
const callerToken = (subject: string) =>
  issuer.issuer.mint({ subject, scopes: ['customer:read', 'customer:write'], audience: CALLER_AUDIENCE, clientId: 'some-agent' });
const callsOf = (k: string) => upstream.log.sayCalls.filter((c) => c['key'] === k);

describe('createFederationClient: calls and validation', () => {
  it("calls a tool for a caller with the caller's token exchanged for the upstream: the caller is the principal, the service its actor", async () => {
    const k = key('ok');
    const out = await client().call(echoSay, { key: k, text: 'hello' }, { subjectToken: await callerToken('alice') });
    expect(out).toEqual({ text: 'hello', attempt: 1, subject: 'alice', actors: ['order-server'], trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it('calls as the service itself when there is no caller', async () => {
    const out = await client().call(echoSay, { key: key('own'), text: 'hello' });
    expect([out.subject, out.actors]).toEqual(['order-server', []]);
  });

  it('refuses a caller token sent to the upstream unchanged (another audience), and one the service may not exchange', async () => {
    const token = await callerToken('mallory');
    const answer = await fetch(upstream.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo_say', arguments: { key: key('pass'), text: 'x' } } }),
    });
    expect(answer.status).toBe(401);
    await answer.body?.cancel();
    // A token for the upstream itself is not one the service received: the provider will not exchange it.
    const foreign = await issuer.issuer.mint({ subject: 'mallory', scopes: ['customer:read'], audience: upstream.url.replace('/mcp', '/other/mcp') });
    await expect(client().call(echoSay, { key: key('foreign'), text: 'x' }, { subjectToken: foreign })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('writes the caller as principal and the actor chain into the upstream audit row of a write', async () => {
    const idempotency = `audit-${Date.now()}`;
    expect(await client().call(echoRecord, { note: 'n', idempotency_key: idempotency }, { subjectToken: await callerToken('bob') })).toEqual({ ok: true });
    const rows = await tdb.db.selectFrom('mcp_audit_log').select(['principal_id', 'actors', 'tool', 'outcome']).where('tool', '=', 'echo_record').execute();
    expect(rows).toEqual([{ principal_id: 'bob', actors: ['order-server'], tool: 'echo_record', outcome: 'ok' }]);
  });

  it('never sends input that fails the contract', async () => {
    const before = upstream.log.requests.length;
    const k = key('bad-input');
    // @ts-expect-error a wrong type is what the test is about
    await expect(client().call(echoSay, { key: k, text: 42 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      retryable: false,
      details: { issues: [{ path: 'text', message: expect.any(String) }] },
    });
    await expect(client().call(echoSay, { key: k, text: 'x', extra: true } as never)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(upstream.log.requests.length).toBe(before);
    expect(callsOf(k)).toEqual([]);
  });

  it('refuses upstream output that does not match the caller contract', async () => {
    expect(await client().call(echoShape, { kind: 'string' })).toEqual({ value: 'forty-two' });
    expect(await client().call(echoShapeAsCaller, { kind: 'number' })).toEqual({ value: 42 });
    await expect(client().call(echoShapeAsCaller, { kind: 'string' })).rejects.toMatchObject({
      code: 'INTERNAL',
      retryable: false,
      details: { upstream: 'echo', issues: [{ path: 'value', message: expect.any(String) }] },
    });
  });

  it('passes an upstream tool error through unchanged and tries a non-retryable one once', async () => {
    const k = key('conflict');
    const error = await client()
      .call(echoSay, { key: k, text: 'x', fail: { code: 'CONFLICT', times: 5 } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'AppError',
      code: 'CONFLICT',
      message: 'CONFLICT on attempt 1 as asked.',
      retryable: false,
      details: { attempt: 1, key: k },
    });
    expect(callsOf(k)).toHaveLength(1);
  });
});

describe('createFederationClient: resilience', () => {
  it('retries a retryable failure with identical arguments', async () => {
    const k = key('retry');
    const args = { key: k, text: 'again', fail: { code: 'UPSTREAM_UNAVAILABLE' as const, times: 2 } };
    const out = await client().call(echoSay, args);
    expect(out.attempt).toBe(3);
    expect(callsOf(k)).toEqual([args, args, args]);
  });

  it('gives up after maxAttempts and rejects with the last upstream error', async () => {
    const k = key('exhausted');
    await expect(client().call(echoSay, { key: k, text: 'x', fail: { code: 'RATE_LIMITED', times: 10 } })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      message: 'RATE_LIMITED on attempt 3 as asked.',
    });
    expect(callsOf(k)).toHaveLength(3);
  });

  it('opens the breaker after consecutive failures and then fails fast with retry_after_ms', async () => {
    const metrics = createMetrics({ service: 'federation-test', collectDefault: false });
    // No readiness probe within the test: the upstream's /readyz answers 200 and would let a trial through.
    const guarded = client({ retry: false, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000, probeIntervalMs: 60_000 }, metrics });
    const k = key('breaker');
    for (let i = 0; i < 2; i++) {
      await expect(guarded.call(echoSay, { key: k, text: 'x', fail: { code: 'UPSTREAM_UNAVAILABLE', times: 10 } })).rejects.toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        details: { attempt: i + 1 },
      });
    }
    expect(guarded.breakerState).toBe('open');
    const before = upstream.log.requests.length;
    await expect(guarded.call(echoSay, { key: key('after-open'), text: 'x' })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      details: { upstream: 'echo', retry_after_ms: expect.any(Number) },
    });
    expect(upstream.log.requests.length).toBe(before);
    expect(await metricValue(metrics, 'upstream_breaker_state', { upstream: 'echo' })).toBe(2);
    expect(await metricValue(metrics, 'federation_calls_total', { upstream: 'echo', tool: 'echo_say', outcome: 'UPSTREAM_UNAVAILABLE' })).toBe(3);
  });

  it('lets calls through again within a readiness probe of the upstream being ready, long before halfOpenAfterMs', async () => {
    const guarded = client({ retry: false, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000, probeIntervalMs: 100 } });
    const k = key('breaker-recovers');
    for (let i = 0; i < 2; i++) {
      await expect(guarded.call(echoSay, { key: k, text: 'x', fail: { code: 'UPSTREAM_UNAVAILABLE', times: 2 } })).rejects.toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
      });
    }
    expect(guarded.breakerState).toBe('open');
    const openedAt = Date.now();
    // The upstream answers /readyz with 200 all along: the first probe (after 100 ms) lets the next call through.
    let out: { attempt: number } | undefined;
    while (out === undefined && Date.now() - openedAt < 10_000) {
      out = await guarded.call(echoSay, { key: k, text: 'x', fail: { code: 'UPSTREAM_UNAVAILABLE', times: 2 } }).catch(() => undefined);
      if (out === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(out).toMatchObject({ attempt: 3 });
    expect(Date.now() - openedAt).toBeLessThan(5_000);
    expect(guarded.breakerState).toBe('closed');
    // Only the trial reached the upstream while the breaker was open.
    expect(callsOf(k)).toHaveLength(3);
  });

  it('rejects a call beyond the concurrency limit at once', async () => {
    const limited = client({ concurrency: 2, retry: false });
    const started = upstream.log.waitsStarted;
    const slow = [limited.call(echoWait, { ms: 300 }), limited.call(echoWait, { ms: 300 })];
    await upstream.log.waitsReached(started + 2);
    await expect(limited.call(echoWait, { ms: 0 })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      message: expect.stringContaining('concurrency limit'),
    });
    expect(await Promise.all(slow)).toEqual([{ waited_ms: 300 }, { waited_ms: 300 }]);
    expect(upstream.log.waitsStarted).toBe(started + 2);
  });

  it('turns an attempt that outlives its timeout into TIMEOUT', async () => {
    await expect(client({ timeoutMs: 100, retry: false }).call(echoWait, { ms: 2000 })).rejects.toMatchObject({
      code: 'TIMEOUT',
      retryable: true,
      details: { upstream: 'echo', timeout_ms: 100 },
    });
  });

  it('reports an upstream that is down as UPSTREAM_UNAVAILABLE', async () => {
    const port = await closedPort();
    const down = client({ url: `http://127.0.0.1:${port}/mcp`, retry: { maxAttempts: 2, initialDelayMs: 1 } });
    await expect(down.call(echoSay, { key: key('down'), text: 'x' })).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      details: { upstream: 'echo' },
    });
  });

  it('stops at once when the caller aborts', async () => {
    const controller = new AbortController();
    const call = client().call(echoWait, { ms: 2000 }, { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'TIMEOUT', details: { cancelled: true } });
  });
});

describe('createFederationClient: tokens, trace context and progress', () => {
  it('fetches a fresh token once when the upstream answers 401 to the cached one', async () => {
    const requests: ServiceTokenRequest[] = [];
    const expiredFirst: ServiceTokenSource = {
      async token(request) {
        requests.push(request);
        if (request.refresh) return tokens.token(request);
        return issuer.issuer.mint({
          subject: 'carol',
          scopes: ['customer:read'],
          audience: upstream.url,
          clientId: 'order-server',
          actors: ['order-server'],
          expiresAt: Math.floor(Date.now() / 1000) - 120,
        });
      },
    };
    const carol = await callerToken('carol');
    const out = await client({ tokens: expiredFirst }).call(echoSay, { key: key('401'), text: 'x' }, { subjectToken: carol });
    expect([out.subject, out.actors]).toEqual(['carol', ['order-server']]);
    expect(requests.map((r) => ({ exchanges: r.subjectToken === carol, audience: r.audience, refresh: r.refresh ?? false }))).toEqual([
      { exchanges: true, audience: upstream.url, refresh: false },
      { exchanges: true, audience: upstream.url, refresh: true },
    ]);
  });

  it('gives up with UNAUTHENTICATED when a fresh token is refused too', async () => {
    const alwaysExpired: ServiceTokenSource = {
      token: () =>
        issuer.issuer.mint({
          subject: 'order-server',
          scopes: ['customer:read'],
          audience: upstream.url,
          kind: 'service',
          expiresAt: Math.floor(Date.now() / 1000) - 120,
        }),
    };
    await expect(client({ tokens: alwaysExpired }).call(echoSay, { key: key('401-twice'), text: 'x' })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      retryable: false,
      details: { upstream: 'echo', status: 401 },
    });
  });

  it('continues the caller trace through the traceparent header and _meta', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const traceparent = `00-${traceId}-00f067aa0ba902b7-01`;
    const before = upstream.log.requests.length;
    const out = await client().call(echoSay, { key: key('trace'), text: 'x' }, { traceparent });
    expect(out.trace_id).toBe(traceId);
    expect(upstream.log.requests.slice(before).map((r) => r.traceparent)).toEqual([traceparent]);
    const fresh = await client().call(echoSay, { key: key('trace-new'), text: 'x' });
    expect(fresh.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh.trace_id).not.toBe(traceId);
  });

  it('relays progress notifications, asking for them only when onProgress is given', async () => {
    const seen: Array<{ progress: number; total?: number; message?: string }> = [];
    const before = upstream.log.requests.length;
    expect(await client().call(echoWait, { ms: 60, steps: 3 }, { onProgress: (p) => seen.push(p) })).toEqual({ waited_ms: 60 });
    expect(seen).toEqual([
      { progress: 0, total: 3, message: 'step 0' },
      { progress: 1, total: 3, message: 'step 1' },
      { progress: 2, total: 3, message: 'step 2' },
    ]);
    expect(await client().call(echoWait, { ms: 0, steps: 1 })).toEqual({ waited_ms: 0 });
    expect(upstream.log.requests.slice(before).map((r) => r.contentType)).toEqual(['text/event-stream', 'application/json']);
  });

  it('counts calls per upstream, tool and outcome', async () => {
    const metrics: Metrics = createMetrics({ service: 'federation-test', collectDefault: false });
    const counted = client({ metrics });
    await counted.call(echoSay, { key: key('m'), text: 'x' });
    await counted.call(echoSay, { key: key('m'), text: 'x', fail: { code: 'NOT_FOUND', times: 1 } }).catch(() => undefined);
    expect(await metricValue(metrics, 'federation_calls_total', { upstream: 'echo', tool: 'echo_say', outcome: 'ok' })).toBe(1);
    expect(await metricValue(metrics, 'federation_calls_total', { upstream: 'echo', tool: 'echo_say', outcome: 'NOT_FOUND' })).toBe(1);
    expect(
      await metricValue(
        metrics,
        'federation_call_duration_seconds',
        { upstream: 'echo', tool: 'echo_say', outcome: 'ok' },
        'federation_call_duration_seconds_count',
      ),
    ).toBe(1);
    expect(await metricValue(metrics, 'upstream_breaker_state', { upstream: 'echo' })).toBe(0);
  });

  it('refuses an invalid configuration', () => {
    const ok = { name: 'echo', url: upstream.url, tokens, logger };
    for (const bad of [{ name: 'Echo' }, { url: 'ftp://x' }, { url: 'not a url' }, { timeoutMs: 0 }, { concurrency: 0 }, { audience: '' }]) {
      expect(() => createFederationClient({ ...ok, ...bad })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    }
  });
});

/** The value of one series on the metrics page (after the gauges collected), or undefined when absent. */
async function metricValue(metrics: Metrics, name: string, labels: Record<string, string>, series = name): Promise<number | undefined> {
  await metrics.render();
  const metric = metrics.registry.getSingleMetric(name);
  const { values } = (await metric?.get()) ?? { values: [] };
  const found = values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? name) === series &&
      Object.entries(labels).every(([k, value]) => (v.labels as Record<string, unknown>)[k] === value),
  );
  return found?.value;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
