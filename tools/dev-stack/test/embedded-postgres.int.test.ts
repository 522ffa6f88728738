import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../src/embedded-postgres.ts';
import type { RunningPostgres } from '../src/embedded-postgres.ts';
import { freePort } from '../src/ports.ts';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startEmbeddedPostgres', () => {
  let root = '';
  let port = 0;
  let running: RunningPostgres | undefined;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'dev-stack-pg-'));
    port = await freePort();
  });
  afterAll(async () => {
    await running?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('initialises a cluster once, creates the databases and keeps data across restarts', async () => {
    const dataDir = path.join(root, 'postgres');
    const options = { dataDir, port, databases: ['mcpfed_alpha', 'mcpfed_beta'], print: () => {} };

    running = await startEmbeddedPostgres(options);
    expect(running.initialised).toBe(true);
    expect(running.urlFor('mcpfed_alpha')).toBe(`postgres://postgres:mcpfed-dev@127.0.0.1:${port}/mcpfed_alpha`);
    await query(running.urlFor('mcpfed_alpha'), 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (7)');
    await running.stop();
    running = undefined;

    running = await startEmbeddedPostgres(options);
    expect(running.initialised).toBe(false);
    expect(await query(running.urlFor('mcpfed_alpha'), 'SELECT id FROM kept')).toEqual([{ id: 7 }]);
    const names = await query<{ datname: string }>(
      running.urlFor('postgres'),
      "SELECT datname FROM pg_database WHERE datname LIKE 'mcpfed_%' ORDER BY datname",
    );
    expect(names.map((row) => row.datname)).toEqual(['mcpfed_alpha', 'mcpfed_beta']);
  });

  it('names the port when it is taken', async () => {
    const blocker = net.createServer();
    const busy = await freePort();
    await new Promise<void>((resolve) => blocker.listen(busy, '127.0.0.1', resolve));
    try {
      await expect(startEmbeddedPostgres({ dataDir: path.join(root, 'other'), port: busy, databases: [], print: () => {} })).rejects.toThrow(
        `port ${busy} (embedded PostgreSQL (data in ${path.join(root, 'other')})) is already in use`,
      );
    } finally {
      blocker.close();
    }
  });
});
