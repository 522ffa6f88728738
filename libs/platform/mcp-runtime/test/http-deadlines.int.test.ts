/**
 * A client that sends its headers or its body too slowly (slow loris) is answered 408 and cut off at the deadline,
 * and counted; it never holds a request open.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import type { HttpServerHandle, McpHost } from '../src/index.ts';
import { widgetMigrations } from './fixtures/widget-domain.ts';
import type { WidgetDb } from './fixtures/widget-domain.ts';
import { createWidgetHost } from './fixtures/widget-host.ts';
import { serveWithAuth, startIssuer } from './fixtures/widget-http.ts';
import type { RunningIssuer } from './fixtures/widget-http.ts';

let tdb: TestDatabase<WidgetDb>;
let host: McpHost<WidgetDb>;
let issuer: RunningIssuer;
let http: HttpServerHandle;
let metricsText: () => Promise<string>;
let token: string;

beforeAll(async () => {
  tdb = await createTestDatabase<WidgetDb>({ name: 'mcp_runtime_deadlines', migrations: widgetMigrations });
  const created = createWidgetHost(tdb.db);
  host = created.host;
  metricsText = async () => (await created.metrics.render()).body;
  issuer = await startIssuer();
  http = await serveWithAuth(host, issuer, created.metrics, { bodyTimeoutMs: 800, headersTimeoutMs: 800 });
  token = await issuer.token(['customer:read']);
});

afterAll(async () => {
  await http?.close(1000);
  await host?.close();
  await issuer?.stop();
  await tdb?.drop();
});

/** Opens a raw connection, writes `text`, and resolves with everything the server sent until it closed the connection. */
function slowClient(text: string, timeoutMs: number): Promise<{ received: string; afterMs: number }> {
  const { port } = new URL(http.url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(port), '127.0.0.1', () => socket.write(text));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve({ received, afterMs: Date.now() - started }));
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${timeoutMs} ms; received ${JSON.stringify(received)}`));
    }, timeoutMs).unref();
  });
}

describe('HTTP read deadlines', () => {
  it('answers 408 and closes when the body does not arrive in time', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'widget_get', arguments: { id: 'x' } } });
    const head = [
      'POST /mcp HTTP/1.1',
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      'Accept: application/json, text/event-stream',
      `Authorization: Bearer ${token}`,
      `Content-Length: ${body.length}`,
    ].join('\r\n');
    const { received, afterMs } = await slowClient(`${head}\r\n\r\n${body.slice(0, 10)}`, 5000);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(received).toContain('the body did not arrive within 800 ms');
    expect(afterMs).toBeGreaterThanOrEqual(700);
  });

  it('answers 408 and closes when the headers do not arrive in time', async () => {
    const { received } = await slowClient('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n', 5000);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('counts both', async () => {
    const counted = [...(await metricsText()).matchAll(/^mcp_http_requests_total\{[^}]*status="408"[^}]*\} (\d+)$/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
    expect(counted).toBe(2);
  });

  it('serves a client that sends in time', async () => {
    const res = await fetch(`${http.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(res.status).toBe(200);
  });
});
