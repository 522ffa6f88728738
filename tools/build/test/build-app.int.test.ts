import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { testServiceUrl } from '@mcpfed/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const buildApp = path.join(repoRoot, 'tools', 'build', 'src', 'build-app.ts');
const bundle = path.join(repoRoot, 'apps', 'customer-server', 'dist', 'main.js');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function node(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...args], { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

describe('build-app', () => {
  it('refuses a missing app name with exit code 2', async () => {
    const result = await node([buildApp]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: node tools/build/src/build-app.ts <app>');
  });

  it('fails with exit code 1 for an app that does not exist', async () => {
    const result = await node([buildApp, 'no-such-server']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('build of no-such-server failed: apps/no-such-server/src/main.ts does not exist\n');
  });
});

describe('build-app customer-server', () => {
  const adminUrl = testServiceUrl('databaseUrl');
  const database = `t_build_${Math.random().toString(36).slice(2, 10)}`;
  let databaseUrl = '';

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
  });

  afterAll(async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  it('writes apps/customer-server/dist/main.js with a source map, workspace code inlined, npm packages external', async () => {
    const result = await node([buildApp, 'customer-server']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^built apps\/customer-server\/dist\/main\.js \(\d+\.\d KiB\)\n$/);

    const code = await readFile(bundle, 'utf8');
    expect((await stat(`${bundle}.map`)).size).toBeGreaterThan(0);
    expect(code).toContain('//# sourceMappingURL=main.js.map');
    expect(code).not.toMatch(/from\s*["']@mcpfed\//);
    expect(code).toMatch(/from\s*["']pg["']/);
    expect(code.startsWith("import { createRequire as __mcpfedCreateRequire } from 'node:module';")).toBe(true);
  });

  it('runs: node apps/customer-server/dist/main.js migrate creates the customer tables', async () => {
    const result = await node([bundle, 'migrate'], {
      DATABASE_URL: databaseUrl,
      REDIS_URL: testServiceUrl('redisUrl'),
      AUTH_ISSUER: 'http://127.0.0.1:8090',
      AUTH_JWKS_URL: 'http://127.0.0.1:8090/.well-known/jwks.json',
      LOG_LEVEL: 'warn',
    });
    expect(result.code, result.stderr).toBe(0);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('customers', 'addresses') ORDER BY table_name",
      );
      expect(rows.map((row) => row.table_name)).toEqual(['addresses', 'customers']);
    } finally {
      await client.end();
    }
  });
});
