import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEMO_USERS, DEV_CLI_CLIENT, DEV_SERVICE_CLIENTS, freePort, loginToken } from '@mcpfed/dev-stack';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const main = path.resolve(import.meta.dirname, '..', 'src', 'main.ts');
const ORDER_SECRET = 'order-secret-for-this-test-only';
const ROUTER_SECRET = 'router-secret-for-this-test-only';
const ROUTER_RESOURCE = 'http://localhost:8080/mcp';
const CUSTOMER_RESOURCE = 'http://localhost:8081/mcp';
const ORDER_RESOURCE = 'http://localhost:8082/mcp';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

describe('dev-issuer serve and token', () => {
  let dir = '';
  let base = '';
  let child: ChildProcess | undefined;
  let env: Record<string, string> = {};
  const jwks = () => createRemoteJWKSet(new URL(`${base}/jwks`));
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const tokenRequest = (id: string, secret: string, form: Record<string, string>) =>
    fetch(`${base}/token`, {
      method: 'POST',
      headers: { authorization: basic(id, secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
  const mintWithCli = (argv: readonly string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [main, 'token', ...argv], { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
      );
    });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mcpfed-dev-issuer-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // The issuer as compose configures it: its own URL, the servers' localhost resources, secrets from the environment.
    env = {
      DEV_ISSUER_URL: base,
      DEV_ISSUER_PORT: String(port),
      DEV_ISSUER_KEY_DIR: dir,
      DEV_ISSUER_RESOURCES: [8080, 8081, 8082, 8083, 8084].map((serverPort) => `http://localhost:${serverPort}/mcp`).join(','),
      ROUTER_RESOURCE,
      ORDER_RESOURCE,
      PAYMENT_RESOURCE: 'http://localhost:8084/mcp',
      ORDER_SERVER_CLIENT_SECRET: ORDER_SECRET,
      ROUTER_CLIENT_SECRET: ROUTER_SECRET,
    };
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

  it('publishes discovery naming the configured issuer, its JWKS, token endpoint and token exchange', async () => {
    const response = await fetch(`${base}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata['issuer']).toBe(base);
    expect(metadata['jwks_uri']).toBe(`${base}/jwks`);
    expect(metadata['token_endpoint']).toBe(`${base}/token`);
    expect(metadata['grant_types_supported']).toEqual(expect.arrayContaining(['client_credentials', 'authorization_code', TOKEN_EXCHANGE]));
  });

  it('issues the order server a client-credentials token for the resource it names, with the secret from the environment', async () => {
    const response = await tokenRequest('order-server', ORDER_SECRET, {
      grant_type: 'client_credentials',
      scope: 'customer:read',
      resource: CUSTOMER_RESOURCE,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; scope: string };
    expect(body.scope).toBe('customer:read');
    const { payload } = await jwtVerify(body.access_token, jwks(), { issuer: base, audience: CUSTOMER_RESOURCE, typ: 'at+jwt' });
    expect(payload.sub).toBe('order-server');
    expect(payload['client_id']).toBe('order-server');
    expect(payload).not.toHaveProperty('token_use');
  });

  it('refuses a resource that is not one of the servers', async () => {
    const response = await tokenRequest('order-server', ORDER_SECRET, {
      grant_type: 'client_credentials',
      scope: 'customer:read',
      resource: 'http://elsewhere.example/mcp',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_target');
  });

  it('lets the router exchange a caller token addressed to it for one to an upstream, naming itself in act', async () => {
    const minted = await mintWithCli(['--scopes', 'customer:read order:read', '--subject', 'alice']);
    expect(minted.code, minted.stderr).toBe(0);
    const caller = minted.stdout.trim();
    expect(decodeJwt(caller).aud).toEqual([ROUTER_RESOURCE]);
    const form = { grant_type: TOKEN_EXCHANGE, subject_token: caller, subject_token_type: ACCESS_TOKEN, resource: CUSTOMER_RESOURCE };
    const response = await tokenRequest('router', ROUTER_SECRET, form);
    expect(response.status).toBe(200);
    const { access_token: exchanged } = (await response.json()) as { access_token: string };
    const { payload } = await jwtVerify(exchanged, jwks(), { issuer: base, audience: CUSTOMER_RESOURCE });
    expect(payload.sub).toBe('alice');
    expect(payload['act']).toEqual({ sub: 'router' });
    expect(payload['scope']).toBe('customer:read order:read');
    // The order server may exchange only tokens addressed to it, not the router's callers'.
    const refused = await tokenRequest('order-server', ORDER_SECRET, form);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('logs a demo user in on the login page (authorization code + PKCE) and issues a token carrying the user claims', async () => {
    const shopper = DEMO_USERS.shopper;
    const token = await loginToken({
      issuerUrl: base,
      clientId: DEV_CLI_CLIENT.id,
      redirectUri: DEV_CLI_CLIENT.redirectUri,
      login: shopper.subject,
      password: shopper.password,
      resource: ROUTER_RESOURCE,
      scopes: ['order:read'],
    });
    const { payload } = await jwtVerify(token, jwks(), { issuer: base, audience: ROUTER_RESOURCE });
    expect(payload.sub).toBe('shopper');
    expect(payload['scope']).toBe('order:read');
    expect(payload['customer_id']).toBe(shopper.claims?.['customer_id']);
  });

  it('refuses the dev stack public secrets and the clients whose secret is not set', async () => {
    // The public secrets of npm start's dev stack, read from the stack itself so a changed secret is still refused.
    for (const { id, secret } of Object.values(DEV_SERVICE_CLIENTS)) {
      const response = await tokenRequest(id, secret, { grant_type: 'client_credentials', scope: 'customer:read', resource: CUSTOMER_RESOURCE });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: string }).error).toBe('invalid_client');
    }
    const approvals = await tokenRequest('order-approvals', 'dev-only-order-approvals-secret-6b0e19d4', {
      grant_type: 'client_credentials',
      resource: ORDER_RESOURCE,
    });
    expect(approvals.status).toBe(401);
  });

  it('token prints a user token for the router unless --audience names another server, verified by the served JWKS', async () => {
    const printed = await mintWithCli(['--scopes', 'order:read', '--subject', 'alice', '--audience', ORDER_RESOURCE]);
    expect(printed.code, printed.stderr).toBe(0);
    const { payload } = await jwtVerify(printed.stdout.trim(), jwks(), { issuer: base, audience: ORDER_RESOURCE });
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
