import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadOrCreateDevIssuer } from '@mcpfed/auth';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = path.resolve(import.meta.dirname, '..', 'src', 'token-cli.ts');

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('npm run token (token-cli.ts as a child process)', () => {
  let dataDir = '';
  // MCPFED_PORT_BASE empty: the default stack (issuer on 8090), whatever the shell running the tests has.
  const run = (args: readonly string[], portBase = ''): Promise<CliResult> =>
    new Promise((resolve) => {
      const env = { ...process.env, MCPFED_DATA_DIR: dataDir, MCPFED_PORT_BASE: portBase };
      execFile(process.execPath, [cli, ...args], { env }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
      });
    });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'dev-stack-token-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('prints exactly one JWT line signed by the dev issuer key, with the requested claims', async () => {
    const result = await run(['--scopes', 'customer:read customer:write', '--subject', 'alice', '--ttl', '600']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);

    const issuer = await loadOrCreateDevIssuer({ dir: path.join(dataDir, 'dev-issuer'), issuerUrl: 'http://127.0.0.1:8090' });
    const { payload, protectedHeader } = await jwtVerify(result.stdout.trim(), createLocalJWKSet(issuer.publicJwks()), {
      issuer: 'http://127.0.0.1:8090',
      audience: 'mcpfed',
    });
    expect(protectedHeader.kid).toBe(issuer.kid);
    expect(payload).toMatchObject({ sub: 'alice', scope: 'customer:read customer:write' });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600);
  });

  it('binds the token to a customer with --customer (the customer_id claim)', async () => {
    const result = await run(['--scopes', 'order:write', '--customer', 'cus_bound_1']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const issuer = await loadOrCreateDevIssuer({ dir: path.join(dataDir, 'dev-issuer'), issuerUrl: 'http://127.0.0.1:8090' });
    const { payload } = await jwtVerify(result.stdout.trim(), createLocalJWKSet(issuer.publicJwks()), { issuer: 'http://127.0.0.1:8090', audience: 'mcpfed' });
    expect(payload).toMatchObject({ scope: 'order:write', customer_id: 'cus_bound_1' });
  });

  it('names the issuer of the stack on MCPFED_PORT_BASE (base + 10) and signs with the same key', async () => {
    const result = await run(['--scopes', 'customer:read'], '23000');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const issuer = await loadOrCreateDevIssuer({ dir: path.join(dataDir, 'dev-issuer'), issuerUrl: 'http://127.0.0.1:23010' });
    const { payload } = await jwtVerify(result.stdout.trim(), createLocalJWKSet(issuer.publicJwks()), {
      issuer: 'http://127.0.0.1:23010',
      audience: 'mcpfed',
    });
    expect(payload).toMatchObject({ iss: 'http://127.0.0.1:23010', sub: 'dev-user', scope: 'customer:read' });
  });

  it('refuses an invalid MCPFED_PORT_BASE with exit code 2 and one line', async () => {
    const result = await run(['--scopes', 'customer:read'], '80x');
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'token: MCPFED_PORT_BASE must be a whole number from 1024 to 65525, got "80x" (unset it for the default 8080).\n',
    });
  });

  it('refuses an unknown scope with exit code 2 and nothing on stdout', async () => {
    const result = await run(['--scopes', 'customer:read customer:nope']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('token: unknown scope: customer:nope');
  });

  it('refuses a missing --scopes with exit code 2', async () => {
    const result = await run(['--subject', 'alice']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('token: --scopes is required');
  });
});
