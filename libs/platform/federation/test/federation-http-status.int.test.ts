import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceTokenSource } from '@mcpfed/auth';
import { createLogger } from '@mcpfed/telemetry';
import { createFederationClient } from '../src/index.ts';
import type { FederationClient } from '../src/index.ts';
import { echoSay } from './fixtures/echo-upstream.ts';

/** HTTP statuses the upstream answers the next tools/call requests with, in order; after them, echo_say's result. */
const statuses: number[] = [];
let toolCalls = 0;
let server: Server;
let url: string;
const clients: FederationClient[] = [];
const tokens: ServiceTokenSource = { token: async () => 'service-token' };
const logger = createLogger({ name: 'federation-status-test', level: 'silent' });

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/readyz') return void res.writeHead(200).end();
      toolCalls++;
      const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: number };
      const status = statuses.shift();
      if (status !== undefined) {
        const refusal = { jsonrpc: '2.0', id: request.id, error: { code: -32602, message: 'refused as asked' } };
        return void res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify(refusal));
      }
      const structured = { text: 'x', attempt: toolCalls, subject: 'order-server', actors: [], trace_id: '0af7651916cd43dd8448eb211c80319c' };
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: request.id, result: { structuredContent: structured, content: [] } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function client(): FederationClient {
  const created = createFederationClient({
    name: 'echo',
    url,
    tokens,
    logger,
    retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 },
    breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000, probeIntervalMs: 60_000 },
  });
  clients.push(created);
  return created;
}

async function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('createFederationClient: the HTTP status of an answer that is not a response', () => {
  it('retries 429 as RATE_LIMITED with retry_after_ms, without opening the breaker', async () => {
    const c = client();
    statuses.push(429, 429);
    toolCalls = 0;
    expect(await c.call(echoSay, { key: 'limited', text: 'x' })).toMatchObject({ attempt: 3 });
    statuses.push(429, 429, 429);
    toolCalls = 0;
    expect(await failure(c.call(echoSay, { key: 'limited', text: 'x' }))).toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
      details: { upstream: 'echo', status: 429, retry_after_ms: 1000 },
    });
    expect(toolCalls).toBe(3);
    expect(c.breakerState).toBe('closed');
  });

  it('tries 401, 403 and other 4xx once, as UNAUTHENTICATED (after one fresh token), FORBIDDEN and their own codes', async () => {
    const c = client();
    const cases: Array<[number[], string, number]> = [
      [[401, 401], 'UNAUTHENTICATED', 2],
      [[403], 'FORBIDDEN', 1],
      [[400], 'VALIDATION_FAILED', 1],
      [[404], 'NOT_FOUND', 1],
      [[409], 'CONFLICT', 1],
    ];
    for (const [answers, code, tried] of cases) {
      statuses.push(...answers);
      toolCalls = 0;
      expect(await failure(c.call(echoSay, { key: code, text: 'x' }))).toMatchObject({
        code,
        retryable: false,
        details: { upstream: 'echo', status: answers[0] },
      });
      expect(toolCalls).toBe(tried);
    }
    expect(c.breakerState).toBe('closed');
  });

  it('retries 5xx as UPSTREAM_UNAVAILABLE and 504 as TIMEOUT, and counts them for the breaker', async () => {
    const c = client();
    statuses.push(504);
    toolCalls = 0;
    expect(await c.call(echoSay, { key: 'flaky', text: 'x' })).toMatchObject({ attempt: 2 });
    const once = createFederationClient({
      name: 'echo',
      url,
      tokens,
      logger,
      retry: false,
      breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000, probeIntervalMs: 60_000 },
    });
    clients.push(once);
    statuses.push(504, 503);
    expect(await failure(once.call(echoSay, { key: 'slow', text: 'x' }))).toMatchObject({
      code: 'TIMEOUT',
      retryable: true,
      details: { upstream: 'echo', status: 504 },
    });
    expect(once.breakerState).toBe('closed');
    expect(await failure(once.call(echoSay, { key: 'down', text: 'x' }))).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      details: { upstream: 'echo', status: 503, retry_after_ms: 1000 },
    });
    expect(once.breakerState).toBe('open');
  });
});
