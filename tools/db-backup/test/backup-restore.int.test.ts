import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testServiceUrl } from '@mcpfed/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const MAIN = path.join(REPO_ROOT, 'tools', 'db-backup', 'src', 'main.ts');
const adminUrl = testServiceUrl('databaseUrl');
const suffix = Math.random().toString(36).slice(2, 10);
const SOURCE = `t_backup_src_${suffix}`;
const TARGET = `t_backup_dst_${suffix}`;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function node(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr }),
    );
  });
}

function urlOf(database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Row count and an order-independent checksum of every row of every table outside the system schemas. */
async function tableFingerprints(url: string): Promise<Record<string, { rows: number; md5: string }>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      "SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
    );
    const result: Record<string, { rows: number; md5: string }> = {};
    for (const { name } of tables.rows) {
      const row = await client.query<{ rows: string; md5: string | null }>(
        `SELECT count(*) AS rows, md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS md5 FROM ${name} t`,
      );
      result[name] = { rows: Number(row.rows[0]?.rows), md5: row.rows[0]?.md5 ?? '' };
    }
    return result;
  } finally {
    await client.end();
  }
}

describe('db:backup and db:restore', () => {
  let dir = '';
  let archive = '';
  const env = () => ({ DATABASE_URL_CUSTOMER: urlOf(SOURCE) });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mcpfed-backup-'));
    archive = path.join(dir, 'customer.dump');
    await admin(`CREATE DATABASE ${SOURCE}`);
    await admin(`CREATE DATABASE ${TARGET}`);
    // A real domain database: the customer server's own migrations and demo data.
    for (const command of ['migrate', 'seed']) {
      const result = await node([path.join(REPO_ROOT, 'apps', 'customer-server', 'src', 'main.ts'), command], {
        DATABASE_URL: urlOf(SOURCE),
        LOG_LEVEL: 'warn',
      });
      expect(result.code, result.stderr).toBe(0);
    }
  }, 120_000);

  afterAll(async () => {
    await admin(`DROP DATABASE IF EXISTS ${SOURCE} WITH (FORCE)`);
    await admin(`DROP DATABASE IF EXISTS ${TARGET} WITH (FORCE)`);
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('backs up a migrated, seeded database and restores it into a fresh one with the same rows in every table', async () => {
    const backup = await node([MAIN, 'backup', '--domain', 'customer', '--out', archive], env());
    expect(backup.code, backup.stderr).toBe(0);
    const written = JSON.parse(backup.stdout) as { file: string; bytes: number; pg_dump: string };
    expect(written.file).toBe(archive);
    expect(written.bytes).toBe((await stat(archive)).size);

    const restore = await node([MAIN, 'restore', '--domain', 'customer', '--file', archive, '--target-url', urlOf(TARGET)], env());
    expect(restore.code, restore.stderr).toBe(0);
    expect(JSON.parse(restore.stdout)).toMatchObject({ domain: 'customer', dumped_by: written.pg_dump });

    const source = await tableFingerprints(urlOf(SOURCE));
    const target = await tableFingerprints(urlOf(TARGET));
    expect(source['public.customers']?.rows).toBe(1000);
    expect(Object.keys(source).length).toBeGreaterThan(5);
    expect(target).toEqual(source);
  });

  it('refuses to restore into a database that is not empty, and changes nothing there', async () => {
    const before = await tableFingerprints(urlOf(TARGET));
    const again = await node([MAIN, 'restore', '--domain', 'customer', '--file', archive, '--target-url', urlOf(TARGET)], env());
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('the target database is not empty');
    expect(await tableFingerprints(urlOf(TARGET))).toEqual(before);
  });

  it('--clean replaces the target with the archive', async () => {
    const client = new pg.Client({ connectionString: urlOf(TARGET) });
    await client.connect();
    await client.query('DELETE FROM customer_notes');
    await client.end();
    const clean = await node([MAIN, 'restore', '--domain', 'customer', '--file', archive, '--target-url', urlOf(TARGET), '--clean'], env());
    expect(clean.code, clean.stderr).toBe(0);
    expect(await tableFingerprints(urlOf(TARGET))).toEqual(await tableFingerprints(urlOf(SOURCE)));
  });

  it('names the missing variable, a bad domain and a missing file with exit status 2', async () => {
    const missing = await node([MAIN, 'backup', '--domain', 'payment'], { DATABASE_URL_PAYMENT: '' });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('set DATABASE_URL_PAYMENT to the payment database');
    const bad = await node([MAIN, 'backup', '--domain', 'Customer; drop'], env());
    expect(bad.code).toBe(2);
    const noFile = await node([MAIN, 'restore', '--domain', 'customer', '--file', path.join(dir, 'nope.dump')], env());
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('is not a file');
  });

  it('fails clearly, naming the versions and what to install, when no fitting pg_dump is found', async () => {
    // PG_BIN_DIR pointing at a directory without pg_dump leaves no client to choose.
    const none = await node([MAIN, 'backup', '--domain', 'customer', '--out', path.join(dir, 'x.dump')], { ...env(), PG_BIN_DIR: dir });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/is PostgreSQL \d+, but no pg_dump was found: pg_dump must be version \d+ or newer/);
  });
});
