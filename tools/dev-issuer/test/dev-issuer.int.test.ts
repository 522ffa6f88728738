import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEV_SERVICE_CLIENTS, freePort } from '@mcpfed/dev-stack';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const main = path.resolve(import.meta.dirname, '..', 'src', 'main.ts');
const ORDER_SECRET = 'order-secret-for-this-test-only';

describe('dev-issuer serve and token', () => {
  let dir = '';
  let port = 0;
  let base = '';
  let child: ChildProcess | undefined;
  let env: Record<string, string> = {};

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mcpfed-dev-issuer-'));
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = { DEV_ISSUER_URL: 'http://dev-issuer:8090', DEV_ISSUER_PORT: String(port), DEV_ISSUER_KEY_DIR: dir, ORDER_SERVER_CLIENT_SECRET: ORDER_SECRET };
    child = spawn(process.execPath, [main, 'serve'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      child?.stderr?.on('data', (chunk: Buffer) => {
        seen += String(chunk);
        if (seen.includes('dev issuer listening')) resolve();
      });
      child?.once('exit', (code) => reject(new Error(`dev issuer exited with ${code}: ${seen}`)));
    });
  });

  afterAll(async () => {
    child?.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('publishes metadata naming the configured issuer and its token endpoint', async () => {
    const response = await fetch(`${base}/.well-known/oauth-authorization-server`);
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata['issuer']).toBe('http://dev-issuer:8090');
    expect(metadata['token_endpoint']).toBe('http://dev-issuer:8090/oauth/token');
  });

  it('issues a service token to the order-server client with the secret from the environment', async () => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'order-server', client_secret: ORDER_SECRET, scope: 'customer:read' });
    const response = await fetch(`${base}/oauth/token`, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; scope: string };
    expect(body.scope).toBe('customer:read');
    const { payload } = await jwtVerify(body.access_token, createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`)), {
      issuer: 'http://dev-issuer:8090',
      audience: 'mcpfed',
    });
    expect(payload.sub).toBe('order-server');
    expect(payload['token_use']).toBe('service');
  });

  it('refuses the dev stack public secret and a client whose secret is not set', async () => {
    // The public secrets of npm start's dev stack, read from the stack itself so a changed secret is still refused.
    for (const { id: clientId, secret: clientSecret } of Object.values(DEV_SERVICE_CLIENTS)) {
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
      const response = await fetch(`${base}/oauth/token`, { method: 'POST', body: form });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: string }).error).toBe('invalid_client');
    }
  });

  it('token prints a user token the served JWKS verifies', async () => {
    const printed = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [main, 'token', '--scopes', 'order:read', '--subject', 'alice'], { env: { ...process.env, ...env } }, (error, stdout) =>
        resolve({ code: error === null ? 0 : Number(error.code), stdout }),
      );
    });
    expect(printed.code).toBe(0);
    const { payload } = await jwtVerify(printed.stdout.trim(), createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`)), { issuer: 'http://dev-issuer:8090' });
    expect(payload.sub).toBe('alice');
    expect(payload['scope']).toBe('order:read');
  });

  it('exits 2 with the usage for an unknown command', async () => {
    const code = await new Promise<number>((resolve) => {
      execFile(process.execPath, [main, 'mint'], { env: { ...process.env, ...env } }, (error) => resolve(error === null ? 0 : Number(error.code)));
    });
    expect(code).toBe(2);
  });
});
