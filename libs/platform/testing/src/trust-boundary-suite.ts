import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainContract } from '@mcpfed/contract-common';
import { sql } from '@mcpfed/db';
import { scopeMatrix, stringFieldPaths } from './contract-cases.ts';
import { startDomainServerProcess } from './domain-server-process.ts';
import type { DomainServerProcess } from './domain-server-process.ts';
import { checkHostileArguments, checkNulEverywhere, checkScopeMatrix, postRaw } from './trust-boundary-checks.ts';

/** Options of {@link trustBoundarySuite}. */
export interface TrustBoundarySuiteOptions {
  /** The app folder, e.g. `customer-server`. */
  readonly app: string;
  /** Its domain contract: every case is generated from it. */
  readonly contract: DomainContract;
  /** Every scope of the federation. */
  readonly scopes: readonly string[];
  /** Short label of the database and logs. */
  readonly label: string;
}

/**
 * Values no caller may make a server store or choke on, as JSON text (JSON.stringify itself gives up on deep
 * values): NUL, unpaired surrogates, 10,000 levels, 1 MB.
 */
function hostileJsonValues(): string[] {
  return ['"a\\u0000b"', '"\\ud800"', '"\\udc00x"', `${'{"d":'.repeat(10_000)}"leaf"${'}'.repeat(10_000)}`, `"${'B'.repeat(1_000_000)}"`];
}

/** The JSON text of `{ a: [ { b: <valueJson> } ] }` for path `['a', 0, 'b']`. */
function jsonAt(path: ReadonlyArray<string | number>, valueJson: string): string {
  let out = valueJson;
  for (let i = path.length - 1; i >= 0; i--) {
    const key = path[i] as string | number;
    out = typeof key === 'number' ? `[${out}]` : `{${JSON.stringify(key)}:${out}}`;
  }
  return out;
}

/**
 * The trust-boundary tests of one domain server, generated from its contract and run against the real app process
 * (HTTP and stdio), with real tokens from a dev issuer:
 * - scopes: every tool, resource (template) and prompt is refused (FORBIDDEN) and hidden for a caller lacking one of
 *   its scopes, over HTTP and stdio, and nothing is written;
 * - hostile arguments: wrong types, 1 MB strings, prototype keys and injection strings give structured answers, never
 *   a 5xx or INTERNAL, and nothing is written;
 * - a NUL in any string field is VALIDATION_FAILED naming that field, before anything runs;
 * - after hostile bytes from a caller with no scope at all, every later call is still audited.
 */
export function trustBoundarySuite(options: TrustBoundarySuiteOptions): void {
  describe(`${options.app} trust boundaries (generated from its contract)`, () => {
    let app: DomainServerProcess;

    beforeAll(async () => {
      app = await startDomainServerProcess({ app: options.app, label: options.label, scopes: options.scopes });
    }, 120_000);

    afterAll(async () => {
      await app?.close();
    });

    const matrix = scopeMatrix(options.contract, options.scopes);

    it(`refuses and hides each of ${matrix.length} (entry, scope) pairs from a caller lacking that scope, over HTTP, writing nothing`, async () => {
      const before = await app.rowCounts();
      expect(await checkScopeMatrix(matrix, (granted) => app.httpClient(granted))).toEqual([]);
      expect(await app.rowCounts()).toEqual(before);
    }, 120_000);

    it('refuses and hides them over stdio too (STDIO_SCOPES), writing nothing', async () => {
      const before = await app.rowCounts();
      expect(await checkScopeMatrix(matrix, (granted) => app.stdioClient(granted))).toEqual([]);
      expect(await app.rowCounts()).toEqual(before);
    }, 180_000);

    it('answers hostile arguments to every tool with structured results, never 5xx or INTERNAL, writing nothing', async () => {
      const before = await app.rowCounts();
      const target = { url: app.server.url, token: await app.token(options.scopes) };
      expect(await checkHostileArguments(options.contract, target)).toEqual([]);
      expect((await fetch(`${app.server.url}/healthz`)).status).toBe(200);
      expect(await app.rowCounts()).toEqual(before);
    }, 180_000);

    it('refuses a NUL in every string field, resource URI and prompt argument, naming the field, writing nothing', async () => {
      const before = await app.rowCounts();
      const target = { url: app.server.url, token: await app.token(options.scopes) };
      expect(await checkNulEverywhere(options.contract, target)).toEqual([]);
      expect(await app.rowCounts()).toEqual(before);
    }, 120_000);

    it('audits every later call after hostile bytes from a caller with no scope at all', async () => {
      const nobody = { url: app.server.url, token: await app.token([], 'no-scope-caller') };
      for (const tool of options.contract.tools) {
        const field = stringFieldPaths(tool)[0] ?? ['value'];
        for (const value of hostileJsonValues()) {
          const answer = await postRaw(nobody, 'tools/call', `{"name":${JSON.stringify(tool.name)},"arguments":${jsonAt(field, value)}}`);
          expect(answer.status, tool.name).toBe(200);
        }
      }
      const after = { url: app.server.url, token: await app.token(options.scopes, 'audited-after') };
      const calls = options.contract.tools.slice(0, 5);
      for (const tool of calls) await postRaw(after, 'tools/call', JSON.stringify({ name: tool.name, arguments: {} }));
      const deadline = Date.now() + 15_000;
      let audited = 0;
      while (Date.now() < deadline) {
        const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM mcp_audit_log WHERE principal_id = 'audited-after'`.execute(app.database.db);
        audited = rows[0]?.n ?? 0;
        if (audited >= calls.length) break;
        await sleep(100);
      }
      expect(audited).toBe(calls.length);
      const { rows } = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM mcp_audit_log WHERE principal_id = 'no-scope-caller' AND outcome = 'FORBIDDEN'`.execute(app.database.db);
      expect(rows[0]?.n).toBe(options.contract.tools.length * hostileJsonValues().length);
    }, 120_000);
  });
}
