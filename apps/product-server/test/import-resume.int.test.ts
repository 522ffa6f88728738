import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectToolOk, idempotencyKey } from '@mcpfed/testing';
import { runImport } from '../src/catalog/jobs/run-import.ts';
import { generateProduct } from '../src/seed/generate-products.ts';
import { writeImportFile } from '../src/seed/write-import-file.ts';
import { eventually, startProductTestServer } from './catalog-fixtures.ts';
import type { ProductTestServer } from './catalog-fixtures.ts';

const ROWS = 20_000;
const BATCH = 200;

interface ImportJob {
  id: string;
  status: string;
  rows_read: number;
  rows_ok: number;
  rows_failed: number;
  attempts: number;
}

let server: ProductTestServer;
let client: Client;

async function status(id: string): Promise<ImportJob> {
  return (await expectToolOk<{ import: ImportJob }>(client, 'product_import_status', { id })).import;
}

/** Everything an import leaves behind, for before/after comparisons (timestamps included). */
async function catalogState() {
  const products = await sql`SELECT sku, name, brand, category, description, status, price_amount, currency, attributes, version, created_at, updated_at
                               FROM products ORDER BY sku`.execute(server.database.db);
  const history = await sql`SELECT sku, price_amount, currency, changed_at FROM product_price_history ORDER BY id`.execute(server.database.db);
  return { products: products.rows, history: history.rows };
}

beforeAll(async () => {
  server = await startProductTestServer({ importBatchSize: BATCH, importMaxBytes: 64 * 1024 * 1024 });
  client = await server.connect(['product:read', 'product:write'], 'importer');
  await writeImportFile(path.join(server.importDir, 'catalog.jsonl'), 'jsonl', ROWS);
  await appendFile(
    path.join(server.importDir, 'catalog.jsonl'),
    '{"sku": "BROKEN"\n{"sku":"BAD-PRICE","name":"x","category":"cables","price_amount":"free","currency":"EUR"}\n',
  );
});

afterAll(async () => {
  await server?.close();
});

describe('an import interrupted by a restart', () => {
  let importId: string;

  it('stops after a committed batch when the worker closes, and resumes there on the next worker', async () => {
    const firstWorker = await server.startWorker();
    const started = await expectToolOk<{ import: ImportJob }>(client, 'product_import', {
      source: { path: 'catalog.jsonl' },
      format: 'jsonl',
      idempotency_key: idempotencyKey(),
    });
    importId = started.import.id;
    await eventually(async () => ((await status(importId)).rows_read >= 2 * BATCH ? true : undefined));
    await firstWorker.close();

    const stopped = await status(importId);
    expect(stopped.status).toBe('queued');
    expect(stopped.rows_read % BATCH).toBe(0);
    expect(stopped.rows_read).toBeLessThan(ROWS);
    // Exactly the committed batches are in: no half batch, nothing beyond the resume point.
    const count = await server.database.db
      .selectFrom('products')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(stopped.rows_ok);

    await server.startWorker();
    const done = await eventually(async () => {
      const current = await status(importId);
      return current.status === 'completed' ? current : undefined;
    }, 60_000);
    expect(done).toMatchObject({ rows_read: ROWS + 2, rows_ok: ROWS, rows_failed: 2, attempts: 2 });
    const errors = await expectToolOk<{ errors: Array<{ line: number; field: string }> }>(client, 'product_import_status', { id: importId });
    expect(errors.errors).toEqual([
      { line: ROWS + 1, field: 'row', message: 'not valid JSON', excerpt: '{"sku": "BROKEN"' },
      {
        line: ROWS + 2,
        field: 'price_amount',
        message: 'price_amount: Invalid input: expected number, received string',
        excerpt: '{"sku":"BAD-PRICE","name":"x","category":"cables","price_amount":"free","currency":"EUR"}',
      },
    ]);
  });

  it('ends in the state an uninterrupted import gives: every row once, as in the file', async () => {
    const rows = await server.database.db.selectFrom('products').select(['sku', 'name', 'price_amount', 'status', 'version']).orderBy('sku').execute();
    const expected = Array.from({ length: ROWS }, (_, index) => generateProduct('bulk', index + 1))
      .map((product) => ({ sku: product.sku, name: product.name, price_amount: product.price_amount, status: product.status, version: 1 }))
      .sort((a, b) => (a.sku < b.sku ? -1 : 1));
    expect(rows).toEqual(expected);
    // One price per product: no batch was written twice.
    const history = await sql<{ n: number; skus: number }>`SELECT count(*)::int AS n, count(DISTINCT sku)::int AS skus FROM product_price_history`.execute(
      server.database.db,
    );
    expect(history.rows[0]).toEqual({ n: ROWS, skus: ROWS });
  });

  it('converges on the same state when its progress is lost and it runs again from the start', async () => {
    const before = await catalogState();
    // What a crash between a batch's write and its bookkeeping would look like if they were not one transaction.
    await sql`DELETE FROM product_import_errors WHERE import_id = ${importId}`.execute(server.database.db);
    await sql`UPDATE product_imports SET status = 'running', records_done = 0, rows_ok = 0, rows_failed = 0, lines_done = 0, bytes_done = 0, finished_at = NULL
               WHERE id = ${importId}`.execute(server.database.db);
    const outcome = await runImport(
      server.database.db,
      importId,
      { ...server.source, batchSize: BATCH },
      { stopRequested: () => false },
      { signal: new AbortController().signal },
    );
    expect(outcome).toBe('completed');
    expect(await catalogState()).toEqual(before);
    expect(await status(importId)).toMatchObject({ status: 'completed', rows_read: ROWS + 2, rows_ok: ROWS, rows_failed: 2, attempts: 3 });
  });

  it('changes nothing when the same file is imported again', async () => {
    const before = await catalogState();
    const again = await expectToolOk<{ import: ImportJob }>(client, 'product_import', {
      source: { path: 'catalog.jsonl' },
      format: 'jsonl',
      idempotency_key: idempotencyKey(),
    });
    const done = await eventually(async () => {
      const current = await status(again.import.id);
      return current.status === 'completed' ? current : undefined;
    }, 60_000);
    expect(done).toMatchObject({ rows_ok: ROWS, rows_failed: 2 });
    expect(await catalogState()).toEqual(before);
  });
});
