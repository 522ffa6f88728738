import type { LookupAddress } from 'node:dns';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectToolError, idempotencyKey } from '@mcpfed/testing';
import { fetchPublicUrl } from '../src/catalog/service/import/fetch-public-url.ts';
import { checkImportSource } from '../src/catalog/service/import/import-source.ts';
import { startProductTestServer } from './catalog-fixtures.ts';
import type { ProductTestServer } from './catalog-fixtures.ts';
import { goodImportLine, importFinished, startCountingServer, startImport } from './import-fixtures.ts';
import type { CountingServer } from './import-fixtures.ts';

// The guard of `{ url }` imports (issue 11.2). The fixture server on 127.0.0.1 is the one allowed host:port
// (PRODUCT_IMPORT_ALLOW_HOSTS); it redirects wherever a test asks. The target server listens on every address
// of this machine (`::`), so a connection to loopback, 0.0.0.0, IPv4-mapped or one of the machine's own
// addresses in any notation would be counted: it must see nothing.

let server: ProductTestServer;
let client: Client;
let fixture: CountingServer;
let target: CountingServer;

beforeAll(async () => {
  server = await startProductTestServer();
  client = await server.connect(['product:read', 'product:write'], 'importer');
  await server.startWorker();
  target = await startCountingServer('::', (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    response.end(`${goodImportLine('STOLEN-1', 1)}\n`);
  });
  fixture = await startCountingServer('127.0.0.1', (request, response) => {
    const url = new URL(request.url ?? '/', 'http://fixture');
    if (url.pathname === '/redirect') {
      response.writeHead(302, { location: url.searchParams.get('to') ?? '/' });
      response.end('REDIRECT-BODY-SECRET');
    } else if (url.pathname.startsWith('/chain/')) {
      response.writeHead(307, { location: `/chain/${Number(url.pathname.slice(7)) + 1}` });
      response.end();
    } else if (url.pathname === '/catalog.jsonl') {
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      response.end(`${goodImportLine('GUARD-1', 100)}\n`);
    } else {
      response.writeHead(403, { 'content-type': 'text/plain' });
      response.end('DENIED-BODY-SECRET\n{"sku":"DENIED-1"}');
    }
  });
  server.allowUrlHost(fixture.url);
});

afterAll(async () => {
  await fixture?.close();
  await target?.close();
  await server?.close();
});

/** Every kind of address an import must not reach, written every way a URL can write it, with the range named. */
function forbidden(port: number): Array<[url: string, range: string]> {
  return [
    [`http://127.0.0.1:${port}/a.jsonl`, 'loopback'],
    [`http://2130706433:${port}/a.jsonl`, 'loopback'],
    [`http://0x7f000001:${port}/a.jsonl`, 'loopback'],
    [`http://0x7f.0.0.1:${port}/a.jsonl`, 'loopback'],
    [`http://0177.0.0.01:${port}/a.jsonl`, 'loopback'],
    [`http://127.1:${port}/a.jsonl`, 'loopback'],
    [`http://[::1]:${port}/a.jsonl`, 'loopback'],
    [`http://[::ffff:127.0.0.1]:${port}/a.jsonl`, 'loopback'],
    [`http://[0:0:0:0:0:ffff:7f00:1]:${port}/a.jsonl`, 'loopback'],
    [`http://[::ffff:0:127.0.0.1]:${port}/a.jsonl`, 'loopback'],
    [`http://[::127.0.0.1]:${port}/a.jsonl`, 'ipv4Compatible'],
    [`http://[64:ff9b::127.0.0.1]:${port}/a.jsonl`, 'loopback'],
    [`http://[64:ff9b::a9fe:a9fe]/latest/meta-data/`, 'linkLocal'],
    [`http://[64:ff9b:1::a00:1]/a.jsonl`, 'nat64Local'],
    [`http://0.0.0.0:${port}/a.jsonl`, 'unspecified'],
    [`http://0:${port}/a.jsonl`, 'unspecified'],
    [`http://[::]:${port}/a.jsonl`, 'unspecified'],
    [`http://localhost:${port}/a.jsonl`, 'loopback'],
    ['http://169.254.169.254/latest/meta-data/iam/security-credentials/', 'linkLocal'],
    ['http://[fe80::a9fe:a9fe]/a.jsonl', 'linkLocal'],
    ['http://10.0.0.1/a.jsonl', 'private'],
    ['http://172.16.5.4/a.jsonl', 'private'],
    ['http://192.168.0.1/a.jsonl', 'private'],
    ['http://100.64.0.1/a.jsonl', 'carrierGradeNat'],
    ['http://224.0.0.1/a.jsonl', 'multicast'],
    ['http://[ff02::1]/a.jsonl', 'multicast'],
    ['http://255.255.255.255/a.jsonl', 'broadcast'],
    // Documentation ranges (the development VM's own network uses 192.0.2.0/24 and fd00::/64).
    [`http://192.0.2.2:${port}/a.jsonl`, 'reserved'],
    ['http://198.51.100.7/a.jsonl', 'reserved'],
    ['http://203.0.113.7/a.jsonl', 'reserved'],
    ['http://[2001:db8::1]/a.jsonl', 'reserved'],
    [`http://[fd00::2]:${port}/a.jsonl`, 'uniqueLocal'],
    ['http://[fc00::1]/a.jsonl', 'uniqueLocal'],
    ['http://[fec0::1]/a.jsonl', 'deprecatedSiteLocal'],
    ['http://[2002:7f00:1::1]/a.jsonl', '6to4'],
    ['http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/a.jsonl', 'teredo'],
  ];
}

async function importCount(): Promise<number> {
  const row = await server.database.db
    .selectFrom('product_imports')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('the URL given to product_import', () => {
  it('is refused at once, naming the range, when its host is not public in any notation; no import is written, nothing is fetched', async () => {
    const before = await importCount();
    for (const [url, range] of forbidden(target.port)) {
      const error = await expectToolError(client, 'product_import', { source: { url }, format: 'jsonl', idempotency_key: idempotencyKey() });
      expect(error, url).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'source.url', reason: 'non_public_address', hop: 0, range } });
      expect(error.message, url).toBe(`source.url leads to a ${range} address; imports reach public addresses only.`);
    }
    expect(await importCount()).toBe(before);
    expect(target.seen).toEqual({ connections: 0, requests: 0 });
  });

  it('allows exactly the listed host:port: another port, or the same address by another name, is refused', async () => {
    const local = fixture.url.replace('127.0.0.1', 'localhost');
    for (const url of [`${local}/catalog.jsonl`, `http://127.0.0.1:${target.port}/catalog.jsonl`, `http://[::ffff:127.0.0.1]:${fixture.port}/catalog.jsonl`]) {
      const error = await expectToolError(client, 'product_import', { source: { url }, format: 'jsonl', idempotency_key: idempotencyKey() });
      expect(error, url).toMatchObject({ code: 'VALIDATION_FAILED', details: { reason: 'non_public_address', range: 'loopback' } });
    }
    const job = await startImport(client, { url: `${fixture.url}/catalog.jsonl` }, 'jsonl');
    expect((await importFinished(client, job.id)).import).toMatchObject({ status: 'completed', rows_ok: 1 });
  });

  it('is refused for another scheme, credentials or a host that does not resolve', async () => {
    const cases: Array<[string, string]> = [
      ['ftp://203.0.113.7/a.csv', 'scheme'],
      ['file:///etc/passwd', 'scheme'],
      ['http://user:secret@8.8.8.8/a.jsonl', 'credentials'],
      ['http://no-such-host.invalid/a.jsonl', 'unresolvable'],
    ];
    for (const [url, reason] of cases) {
      const error = await expectToolError(client, 'product_import', { source: { url }, format: 'jsonl', idempotency_key: idempotencyKey() });
      expect(error, url).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'source.url', reason, hop: 0 } });
    }
  });
});

describe('a redirect', () => {
  it('to a non-public address in any notation fails the import, naming hop and range, and the target sees nothing', async () => {
    const targets = forbidden(target.port);
    const jobs = [];
    for (const [to] of targets) jobs.push(await startImport(client, { url: `${fixture.url}/redirect?to=${encodeURIComponent(to)}` }, 'jsonl'));
    for (const [index, job] of jobs.entries()) {
      const [to, range] = targets[index] as [string, string];
      const status = await importFinished(client, job.id);
      expect(status.import, to).toMatchObject({
        status: 'failed',
        rows_read: 0,
        error: {
          code: 'VALIDATION_FAILED',
          message: `source.url's redirect 1 leads to a ${range} address; imports reach public addresses only.`,
          details: { field: 'source.url', reason: 'non_public_address', hop: 1, range },
        },
      });
    }
    expect(target.seen).toEqual({ connections: 0, requests: 0 });
    expect(await server.database.db.selectFrom('products').select('sku').where('sku', '=', 'STOLEN-1').execute()).toEqual([]);
  });

  it('to another scheme or with credentials fails the import, and so does a fourth redirect', async () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      [`${fixture.url}/redirect?to=${encodeURIComponent('file:///etc/passwd')}`, { code: 'VALIDATION_FAILED', details: { reason: 'scheme', hop: 1 } }],
      [`${fixture.url}/redirect?to=${encodeURIComponent('gopher://203.0.113.7:70/_x')}`, { code: 'VALIDATION_FAILED', details: { reason: 'scheme', hop: 1 } }],
      [
        `${fixture.url}/redirect?to=${encodeURIComponent(`http://u:p@127.0.0.1:${target.port}/`)}`,
        { code: 'VALIDATION_FAILED', details: { reason: 'credentials', hop: 1 } },
      ],
      [`${fixture.url}/chain/0`, { code: 'PRECONDITION_FAILED', details: { reason: 'too_many_redirects', hop: 4 } }],
    ];
    for (const [url, error] of cases) {
      const job = await startImport(client, { url }, 'jsonl');
      expect((await importFinished(client, job.id)).import, url).toMatchObject({ status: 'failed', error });
    }
    expect(target.seen).toEqual({ connections: 0, requests: 0 });
  });

  it('within the allowed host is followed, and nothing of a refusing or redirecting answer reaches the caller', async () => {
    const moved = await startImport(client, { url: `${fixture.url}/redirect?to=/catalog.jsonl` }, 'jsonl');
    expect((await importFinished(client, moved.id)).import).toMatchObject({ status: 'completed', rows_ok: 1 });
    const denied = await startImport(client, { url: `${fixture.url}/redirect?to=/denied` }, 'jsonl');
    const status = await importFinished(client, denied.id);
    expect(status.import).toMatchObject({
      status: 'failed',
      rows_read: 0,
      error: { code: 'PRECONDITION_FAILED', message: 'The import URL answered 403; check that it is public and correct.' },
    });
    expect(status.errors).toEqual([]);
    expect(JSON.stringify(status)).not.toMatch(/SECRET|DENIED-1/);
  });
});

describe('name resolution', () => {
  const config = (lookup: (hostname: string) => Promise<LookupAddress[]>) => ({ directory: server.importDir, maxBytes: 1000, lookup });

  it('refuses a name when any one of its addresses is not public, and accepts one whose addresses all are', async () => {
    const answers: Record<string, LookupAddress[]> = {
      'mixed.test': [
        { address: '8.8.8.8', family: 4 },
        { address: '10.0.0.1', family: 4 },
      ],
      'mixed6.test': [
        { address: '2606:4700::1111', family: 6 },
        { address: '::ffff:169.254.169.254', family: 6 },
      ],
      'public.test': [
        { address: '8.8.8.8', family: 4 },
        { address: '2606:4700::1111', family: 6 },
      ],
    };
    const lookup = async (hostname: string) => answers[hostname] ?? [];
    await expect(checkImportSource({ url: 'https://mixed.test/a.jsonl' }, config(lookup))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { range: 'private' },
    });
    await expect(checkImportSource({ url: 'https://mixed6.test/a.jsonl' }, config(lookup))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { range: 'linkLocal' },
    });
    await expect(checkImportSource({ url: 'https://public.test/a.jsonl' }, config(lookup))).resolves.toEqual({
      ref: { kind: 'url', value: 'https://public.test/a.jsonl' },
      bytesTotal: null,
    });
  });

  it('connects to the address it checked and never asks again, so a name that rebinds after the check goes nowhere', async () => {
    // First answer: the fixture. Every later answer: an address nothing listens on (a second lookup would fail the download).
    let lookups = 0;
    const rebinding = async (): Promise<LookupAddress[]> => (lookups++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '127.0.0.2', family: 4 }]);
    const controller = new AbortController();
    const { response, close } = await fetchPublicUrl(new URL(`http://catalog.test:${fixture.port}/catalog.jsonl`), {
      policy: { allowHosts: [`catalog.test:${fixture.port}`], lookup: rebinding },
      maxRedirects: 3,
      timeoutMs: 5000,
      signal: controller.signal,
    });
    try {
      expect(response.statusCode).toBe(200);
      expect(await response.body.text()).toBe(`${goodImportLine('GUARD-1', 100)}\n`);
    } finally {
      await close();
    }
    expect(lookups).toBe(1);

    // A redirect to a name whose (only) answer is loopback: checked before any connection, refused.
    let rebindLookups = 0;
    const toLoopback = async (hostname: string): Promise<LookupAddress[]> => {
      if (hostname === 'rebind.test') rebindLookups++;
      return [{ address: '127.0.0.1', family: 4 }];
    };
    await expect(
      fetchPublicUrl(new URL(`http://catalog.test:${fixture.port}/redirect?to=${encodeURIComponent(`http://rebind.test:${target.port}/`)}`), {
        policy: { allowHosts: [`catalog.test:${fixture.port}`], lookup: toLoopback },
        maxRedirects: 3,
        timeoutMs: 5000,
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { reason: 'non_public_address', hop: 1, range: 'loopback' } });
    expect(rebindLookups).toBe(1);
    expect(target.seen).toEqual({ connections: 0, requests: 0 });
  });
});
