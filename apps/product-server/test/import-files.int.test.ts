import { mkdir, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectToolError, expectToolOk, idempotencyKey } from '@mcpfed/testing';
import { eventually, startProductTestServer } from './catalog-fixtures.ts';
import type { Product, ProductTestServer } from './catalog-fixtures.ts';
import { goodImportLine, importFinished, startImport as startImportWith } from './import-fixtures.ts';
import type { ImportJob, ImportStatus as Status } from './import-fixtures.ts';

let server: ProductTestServer;
let client: Client;
let files: http.Server;
let filesUrl: string;

const good = goodImportLine;
const startImport = (source: Record<string, unknown>, format: 'jsonl' | 'csv'): Promise<ImportJob> => startImportWith(client, source, format);
const finished = (id: string): Promise<Status> => importFinished(client, id);

beforeAll(async () => {
  server = await startProductTestServer();
  client = await server.connect(['product:read', 'product:write'], 'importer');
  await server.startWorker({ batchSize: 3 });
  files = http.createServer((request, response) => {
    if (request.url === '/catalog.jsonl') {
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      response.end(`${good('URL-1', 100)}\n${good('URL-2', 200)}\n`);
    } else if (request.url === '/moved') {
      response.writeHead(302, { location: '/catalog.jsonl' });
      response.end();
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  server.allowUrlHost(filesUrl);
});

afterAll(async () => {
  await new Promise<void>((resolve) => files?.close(() => resolve()));
  await server?.close();
});

describe('a malformed JSON Lines file', () => {
  it('imports the good rows and reports each bad row with its line and field', async () => {
    const lines = [
      good('IM-1', 1000),
      '',
      '{"sku": "IM-X", oops',
      JSON.stringify({ sku: 'IM-4', name: 'No price', category: 'cables', currency: 'EUR' }),
      JSON.stringify({ sku: 'im-5', name: 'Bad', category: 'cables', price_amount: 5, currency: 'euro' }),
      good('IM-2', 2000, { brand: 'Kestrel', description: 'A cable.' }),
      '[1, 2, 3]',
      good('IM-3', 3000, { status: 'draft', attributes: { color: 'Black', length_m: 2 } }),
      good('IM-1', 1500),
      good('IM-6', 12.5),
    ];
    await writeFile(path.join(server.importDir, 'malformed.jsonl'), `${lines.join('\n')}\n`);
    const job = await startImport({ path: 'malformed.jsonl' }, 'jsonl');
    expect(job).toMatchObject({ format: 'jsonl', source: 'malformed.jsonl' });
    // The worker may have started on it before the tool answered.
    expect(['queued', 'running', 'completed']).toContain(job.status);
    const status = await finished(job.id);
    expect(status.import).toMatchObject({ status: 'completed', rows_read: 9, rows_ok: 4, rows_failed: 5, percent: 100, error: null });
    // The lines are short and plain: their excerpts are the lines themselves.
    expect(status.errors).toEqual([
      { line: 3, field: 'row', message: 'not valid JSON', excerpt: lines[2] },
      { line: 4, field: 'price_amount', message: 'price_amount: Invalid input: expected number, received undefined', excerpt: lines[3] },
      {
        line: 5,
        field: 'sku',
        message: 'sku: a SKU is 2-64 characters: upper-case letters, digits, ".", "_" or "-", e.g. "HP-0001234"; currency: ISO 4217 code, e.g. EUR',
        excerpt: lines[4],
      },
      { line: 7, field: 'row', message: 'each line must be one JSON object', excerpt: lines[6] },
      { line: 10, field: 'price_amount', message: 'price_amount: Invalid input: expected int, received number', excerpt: lines[9] },
    ]);
    expect(status.errors_stored).toBe(5);

    const products = await server.database.db
      .selectFrom('products')
      .select(['sku', 'price_amount', 'status', 'brand', 'attributes', 'version'])
      .where('sku', 'like', 'IM-%')
      .orderBy('sku')
      .execute();
    // The worker writes 3 records per batch: IM-1 is created by the first batch and changed by the third.
    expect(products).toEqual([
      { sku: 'IM-1', price_amount: 1500, status: 'active', brand: null, attributes: {}, version: 2 },
      { sku: 'IM-2', price_amount: 2000, status: 'active', brand: 'Kestrel', attributes: {}, version: 1 },
      { sku: 'IM-3', price_amount: 3000, status: 'draft', brand: null, attributes: { color: 'Black', length_m: 2 }, version: 1 },
    ]);
    const imported = await expectToolOk<Product>(client, 'product_get', { sku: 'IM-1' });
    expect(imported.price_history.map((entry) => [entry.price.amount, entry.changed_by])).toEqual([
      [1500, `import:${job.id}`],
      [1000, `import:${job.id}`],
    ]);
  });

  it('pages through the errors after a line', async () => {
    const lines = Array.from({ length: 7 }, (_, index) => (index % 2 === 0 ? `not json ${index}` : good(`PG-${index}`, 100)));
    await writeFile(path.join(server.importDir, 'errors.jsonl'), lines.join('\n'));
    const job = await startImport({ path: 'errors.jsonl' }, 'jsonl');
    await finished(job.id);
    const first = await expectToolOk<Status>(client, 'product_import_status', { id: job.id, errors_limit: 2 });
    expect(first.errors.map((error) => error.line)).toEqual([1, 3]);
    const next = await expectToolOk<Status>(client, 'product_import_status', { id: job.id, errors_limit: 2, errors_after_line: 3 });
    expect(next.errors.map((error) => error.line)).toEqual([5, 7]);
    expect(next.errors_stored).toBe(4);
  });
});

describe('CSV', () => {
  it('reads quoted fields (commas, quotes, line breaks) and reports bad rows by their first line', async () => {
    const csv = [
      'sku,name,category,price_amount,currency,description,attributes',
      'CSV-1,"Cable, braided",cables,999,EUR,"Says ""fast""","{""color"":""Red""}"',
      'CSV-2,Two lines,cables,1999,EUR,"first line',
      'second line",',
      'CSV-3,Too few,cables,5',
      'CSV-4,Bad price,cables,12.99,EUR,,',
      'CSV-5,Bad attributes,cables,100,EUR,,{not json}',
      'CSV-6,"Last one",cables,500,EUR,,',
    ].join('\r\n');
    await writeFile(path.join(server.importDir, 'catalog.csv'), csv);
    const job = await startImport({ path: 'catalog.csv' }, 'csv');
    const status = await finished(job.id);
    expect(status.import).toMatchObject({ status: 'completed', rows_read: 6, rows_ok: 3, rows_failed: 3 });
    expect(status.errors).toEqual([
      { line: 5, field: 'row', message: 'expected 7 fields as in the header, found 4', excerpt: 'CSV-3,Too few,cables,5' },
      {
        line: 6,
        field: 'price_amount',
        message: 'price_amount: Invalid input: expected number, received string',
        excerpt: 'CSV-4,Bad price,cables,12.99,EUR,,',
      },
      { line: 7, field: 'attributes', message: 'attributes: not a JSON object', excerpt: 'CSV-5,Bad attributes,cables,100,EUR,,{not json}' },
    ]);
    const rows = await server.database.db
      .selectFrom('products')
      .select(['sku', 'name', 'description', 'attributes'])
      .where('sku', 'like', 'CSV-%')
      .orderBy('sku')
      .execute();
    expect(rows).toEqual([
      { sku: 'CSV-1', name: 'Cable, braided', description: 'Says "fast"', attributes: { color: 'Red' } },
      { sku: 'CSV-2', name: 'Two lines', description: 'first line\nsecond line', attributes: {} },
      { sku: 'CSV-6', name: 'Last one', description: null, attributes: {} },
    ]);
  });
});

describe('sources', () => {
  it('downloads http(s) URLs (following redirects) and fails an import whose URL has no file', async () => {
    const job = await startImport({ url: `${filesUrl}/moved` }, 'jsonl');
    expect((await finished(job.id)).import).toMatchObject({ status: 'completed', rows_ok: 2, source: `${filesUrl}/moved` });
    expect((await expectToolOk<Product>(client, 'product_get', { sku: 'URL-2' })).price.amount).toBe(200);
    const missing = await startImport({ url: `${filesUrl}/nothing.jsonl` }, 'jsonl');
    expect((await finished(missing.id)).import).toMatchObject({
      status: 'failed',
      rows_read: 0,
      error: { code: 'NOT_FOUND', message: 'The import URL answered 404: there is no file there.' },
    });
  });

  it('closes the connection of every URL import when it ends, also on a keep-alive server and after a 404', async () => {
    const sockets = { opened: 0, closed: 0 };
    const keepAlive = http.createServer((request, response) => {
      if (request.url === '/missing.jsonl') {
        response.writeHead(404);
        response.end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      response.end(`${good(`KA-${request.url?.slice(1, 2) ?? 'X'}`, 100)}\n`);
    });
    // The server offers to keep every connection for 10 minutes: only the client closing it ends it in time.
    keepAlive.keepAliveTimeout = 600_000;
    keepAlive.on('connection', (socket) => {
      sockets.opened++;
      socket.on('close', () => sockets.closed++);
    });
    await new Promise<void>((resolve) => keepAlive.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(keepAlive.address() as AddressInfo).port}`;
    server.allowUrlHost(base);
    try {
      for (const name of ['1.jsonl', '2.jsonl', '3.jsonl', 'missing.jsonl', '4.jsonl']) {
        const job = await startImport({ url: `${base}/${name}` }, 'jsonl');
        expect((await finished(job.id)).import.status).toBe(name === 'missing.jsonl' ? 'failed' : 'completed');
      }
      await eventually(async () => (sockets.closed === sockets.opened ? true : undefined));
      expect(sockets).toEqual({ opened: 5, closed: 5 });
    } finally {
      keepAlive.closeAllConnections();
      await new Promise<void>((resolve) => keepAlive.close(() => resolve()));
    }
  });

  it('refuses paths outside the import directory, other schemes, missing and oversized files', async () => {
    await mkdir(path.join(server.importDir, 'sub'), { recursive: true });
    await symlink('/etc/passwd', path.join(server.importDir, 'sub', 'escape.csv'));
    for (const source of [
      { path: '../outside.jsonl' },
      { path: '/etc/passwd' },
      { path: 'sub/escape.csv' },
      { url: 'file:///etc/passwd' },
      { url: 'ftp://example.com/a.csv' },
    ]) {
      const error = await expectToolError(client, 'product_import', { source, format: 'csv', idempotency_key: idempotencyKey() });
      expect(error.code, JSON.stringify(source)).toBe('VALIDATION_FAILED');
    }
    expect((await expectToolError(client, 'product_import', { source: { path: 'nope.jsonl' }, format: 'jsonl', idempotency_key: idempotencyKey() })).code).toBe(
      'NOT_FOUND',
    );
    await writeFile(path.join(server.importDir, 'big.jsonl'), Buffer.alloc(server.source.maxBytes + 1, 0x20));
    expect(
      await expectToolError(client, 'product_import', { source: { path: 'big.jsonl' }, format: 'jsonl', idempotency_key: idempotencyKey() }),
    ).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { max_bytes: server.source.maxBytes },
    });
    const imports = await server.database.db.selectFrom('product_imports').select('source').where('source', 'in', ['big.jsonl', 'nope.jsonl']).execute();
    expect(imports).toEqual([]);
  });

  it('replays the same idempotency key and refuses it for another import', async () => {
    await writeFile(path.join(server.importDir, 'replay.jsonl'), `${good('RP-1', 100)}\n`);
    const key = idempotencyKey();
    const first = await expectToolOk<{ import: ImportJob; replayed: boolean }>(client, 'product_import', {
      source: { path: 'replay.jsonl' },
      format: 'jsonl',
      idempotency_key: key,
    });
    const again = await expectToolOk<{ import: ImportJob; replayed: boolean }>(client, 'product_import', {
      source: { path: 'replay.jsonl' },
      format: 'jsonl',
      idempotency_key: key,
    });
    expect(first.replayed).toBe(false);
    expect(again.replayed).toBe(true);
    expect(again.import.id).toBe(first.import.id);
    const reused = await expectToolError(client, 'product_import', { source: { path: 'replay.jsonl' }, format: 'csv', idempotency_key: key });
    expect(reused).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', details: { import_id: first.import.id } });
    expect(await server.database.db.selectFrom('product_imports').select('id').where('idempotency_key', '=', key).execute()).toHaveLength(1);
  });

  it('answers NOT_FOUND for an unknown import', async () => {
    expect((await expectToolError(client, 'product_import_status', { id: 'imp_00000000000000000000000000' })).code).toBe('NOT_FOUND');
  });
});
