import { migrateToLatest } from '@mcpfed/db';
import { createTestDatabase } from '@mcpfed/testing';
import type { TestDatabase } from '@mcpfed/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { widgetMigrations } from './fixtures/widget-domain.ts';
import type { WidgetDb } from './fixtures/widget-domain.ts';
import { startIssuer } from './fixtures/widget-http.ts';
import type { RunningIssuer } from './fixtures/widget-http.ts';
import { NEXT_MIGRATION, nextMigration } from './fixtures/widget-next-migration.ts';
import { startWidgetProcess, widgetEnv } from './fixtures/widget-process.ts';

let tdb: TestDatabase<WidgetDb>;
let issuer: RunningIssuer;

beforeAll(async () => {
  tdb = await createTestDatabase<WidgetDb>({ name: 'mcp_runtime_schema', migrations: widgetMigrations });
  issuer = await startIssuer();
});

afterAll(async () => {
  await issuer?.stop();
  await tdb?.drop();
});

const readyz = async (url: string) => {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as unknown };
};

describe('GET /readyz and the database schema', () => {
  it('a version whose migrations the database lacks is not ready; it becomes ready once migrate applied them', async () => {
    const server = await startWidgetProcess(widgetEnv(tdb.url, issuer.url, { WIDGET_NEXT_MIGRATION: '1' }));
    try {
      expect(await readyz(server.url)).toEqual({
        status: 503,
        body: { status: 'not_ready', checks: { database: 'ok', schema: 'unavailable', redis: 'ok' } },
      });
      // The warning is written beside the answer, not before it: wait for the child's stderr to carry it.
      await expect.poll(() => server.logs(), { timeout: 5_000 }).toContain(NEXT_MIGRATION);
      // The migration of the new version runs (the init container's `migrate`): the same process turns ready.
      await expect(migrateToLatest(tdb.db, { ...widgetMigrations, [NEXT_MIGRATION]: nextMigration })).resolves.toEqual([NEXT_MIGRATION]);
      expect(await readyz(server.url)).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok', schema: 'ok', redis: 'ok' } } });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('the previous version stays ready on the expanded schema', async () => {
    const server = await startWidgetProcess(widgetEnv(tdb.url, issuer.url));
    try {
      expect((await readyz(server.url)).status).toBe(200);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
