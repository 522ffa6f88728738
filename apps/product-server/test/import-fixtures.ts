import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expectToolOk, idempotencyKey } from '@mcpfed/testing';
import { eventually } from './catalog-fixtures.ts';

/** An import job as product_import and product_import_status return it. */
export interface ImportJob {
  id: string;
  status: string;
  format: string;
  source: string;
  rows_read: number;
  rows_ok: number;
  rows_failed: number;
  bytes_read: number;
  bytes_total: number | null;
  percent: number | null;
  attempts: number;
  error: { code: string; message: string; details?: Record<string, unknown> } | null;
}

/** What product_import_status returns. */
export interface ImportStatus {
  import: ImportJob;
  errors: Array<{ line: number; field: string; message: string; excerpt: string | null }>;
  errors_stored: number;
}

/** One valid JSON Lines product. */
export const goodImportLine = (sku: string, price: number, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ sku, name: `Imported ${sku}`, category: 'cables', price_amount: price, currency: 'EUR', ...extra });

/** Calls product_import with a fresh idempotency key and returns the job. */
export async function startImport(client: Client, source: Record<string, unknown>, format: 'jsonl' | 'csv'): Promise<ImportJob> {
  const out = await expectToolOk<{ import: ImportJob; replayed: boolean }>(client, 'product_import', { source, format, idempotency_key: idempotencyKey() });
  return out.import;
}

/** Polls product_import_status until the job is completed or failed; returns that status (with up to 100 errors). */
export async function importFinished(client: Client, id: string): Promise<ImportStatus> {
  return eventually(async () => {
    const status = await expectToolOk<ImportStatus>(client, 'product_import_status', { id, errors_limit: 100 });
    return status.import.status === 'completed' || status.import.status === 'failed' ? status : undefined;
  });
}

/** A real HTTP server on a random port that counts the connections and requests it receives. */
export interface CountingServer {
  readonly url: string;
  readonly port: number;
  readonly seen: { connections: number; requests: number };
  close(): Promise<void>;
}

/** Starts a {@link CountingServer} on `host` (`::` listens on every IPv4 and IPv6 address of the machine). */
export async function startCountingServer(host: string, handler: http.RequestListener): Promise<CountingServer> {
  const seen = { connections: 0, requests: 0 };
  const server = http.createServer((request, response) => {
    seen.requests++;
    handler(request, response);
  });
  server.on('connection', () => seen.connections++);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? '127.0.0.1' : host}:${port}`,
    port,
    seen,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
