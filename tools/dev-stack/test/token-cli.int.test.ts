import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createJwtVerifier, discoverIssuer, loadOrCreateDevIssuer } from '@mcpfed/auth';
import { createDevProvider } from '@mcpfed/auth/dev-provider';
import type { DevProvider } from '@mcpfed/auth/dev-provider';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SHOPPER_CUSTOMER_ID, DEMO_USERS } from '../src/demo-users.ts';
import { stackProviderOptions } from '../src/dev-issuer.ts';
import { freePortBase } from '../src/ports.ts';
import { stackPorts } from '../src/services.ts';
import type { StackPorts } from '../src/services.ts';

const cli = path.resolve(import.meta.dirname, '..', 'src', 'token-cli.ts');

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `npm run token` against the provider `npm start` runs: the stack's own provider configuration (resources,
 * clients, demo users, stackProviderOptions) on a free port base, and the CLI as a child process on the same base.
 */
describe("npm run token (token-cli.ts as a child process, against the stack's dev provider)", () => {
  let dataDir = '';
  let base = 0;
  let ports: StackPorts;
  let issuerUrl = '';
  let dev: DevProvider;
  const resource = (name: 'router' | 'customer' | 'order') => `http://127.0.0.1:${ports[name]}/mcp`;
  const verifier = (audience: string) => createJwtVerifier({ issuer: issuerUrl, audience, jwksUrl: `${issuerUrl}/jwks` });
  const run = (args: readonly string[], portBase = String(base)): Promise<CliResult> =>
    new Promise((resolve) => {
      const env = { ...process.env, MCPFED_DATA_DIR: dataDir, MCPFED_PORT_BASE: portBase };
      execFile(process.execPath, [cli, ...args], { env }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
      });
    });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'dev-stack-token-'));
    base = await freePortBase();
    ports = stackPorts(base);
    issuerUrl = `http://127.0.0.1:${ports.devIssuer}`;
    dev = createDevProvider(stackProviderOptions(await loadOrCreateDevIssuer({ dir: path.join(dataDir, 'dev-issuer'), issuerUrl }), ports));
    await new Promise<void>((resolve) => dev.server.listen(ports.devIssuer, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    dev.server.closeAllConnections();
    await new Promise<void>((resolve) => dev.server.close(() => resolve()));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is an OpenID provider the servers find by discovery', async () => {
    expect(await discoverIssuer({ issuer: issuerUrl, needsTokenEndpoint: true })).toEqual({
      issuer: issuerUrl,
      jwksUrl: `${issuerUrl}/jwks`,
      tokenUrl: `${issuerUrl}/token`,
      source: `${issuerUrl}/.well-known/openid-configuration`,
    });
  });

  it('prints a service token from client credentials, addressed to the one server named', async () => {
    const result = await run(['--client', 'router', '--resource', 'customer', '--scopes', 'customer:read customer:any']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const token = result.stdout.trim();
    expect(decodeJwt(token)).toMatchObject({
      iss: issuerUrl,
      sub: 'router',
      client_id: 'router',
      aud: resource('customer'),
      scope: 'customer:read customer:any',
    });
    expect(await verifier(resource('customer')).verify(token)).toMatchObject({ id: 'router', scopes: new Set(['customer:read', 'customer:any']) });
    await expect(verifier(resource('order')).verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'token audience mismatch' });
  });

  it('logs the demo shopper in (authorization code + PKCE) and prints his token for the router, bound to his customer', async () => {
    const result = await run(['--user', 'shopper']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const token = result.stdout.trim();
    expect(decodeJwt(token)).toMatchObject({
      iss: issuerUrl,
      sub: 'shopper',
      aud: resource('router'),
      client_id: 'mcpfed-cli',
      customer_id: DEMO_SHOPPER_CUSTOMER_ID,
      scope: DEMO_USERS.shopper.scopes.join(' '),
    });
    expect(await verifier(resource('router')).verify(token)).toMatchObject({ id: 'shopper', kind: 'user', customerId: DEMO_SHOPPER_CUSTOMER_ID });
  });

  it('grants a user only the requested scopes the user holds, and says which were not granted', async () => {
    const result = await run(['--user', 'analyst', '--resource', 'order', '--scopes', 'order:read order:write sql:read']);
    expect(result).toMatchObject({ code: 0, stderr: 'token: not granted (analyst does not hold them): order:write\n' });
    const claims = decodeJwt(result.stdout.trim());
    expect(claims).toMatchObject({ sub: 'analyst', aud: resource('order'), scope: 'order:read sql:read' });
    expect(claims['customer_id']).toBeUndefined();
  });

  it("exits 1 with the reason when the user holds none of the scopes, or the resource is not one of the stack's", async () => {
    expect(await run(['--user', 'shopper', '--scopes', 'sql:read admin'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'token: no token: shopper holds none of the scopes asked for (sql:read admin)\n',
    });
    expect(await run(['--user', 'shopper', '--resource', 'http://127.0.0.1:9/mcp'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'token: no token: the provider refused the authorization request: invalid_target (unknown resource)\n',
    });
    expect(await run(['--client', 'order-server', '--scopes', 'admin'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'token: no token: the provider refused the token request: invalid_scope (requested scope is not allowed)\n',
    });
  });

  it('exits 1 with one line when no provider runs on that port base', async () => {
    const idle = await freePortBase();
    const result = await run(['--user', 'shopper'], String(idle));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(
        `^token: no token: no OpenID provider answers at http://127\\.0\\.0\\.1:${idle + 10} \\(is \`npm start\` running, on the same MCPFED_PORT_BASE\\?\\)`,
      ),
    );
  });

  it('refuses an invalid MCPFED_PORT_BASE with exit code 2 and one line', async () => {
    const result = await run(['--user', 'shopper'], '80x');
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'token: MCPFED_PORT_BASE must be a whole number from 1024 to 65525, got "80x" (unset it for the default 8080).\n',
    });
  });

  it('refuses an unknown scope or user, and the minting options of old, with exit code 2 and nothing on stdout', async () => {
    for (const [args, message] of [
      [['--scopes', 'customer:read customer:nope'], 'token: unknown scope: customer:nope'],
      [['--user', 'mallory'], 'token: --user must be one of shopper, support, analyst, admin'],
      [['--scopes', 'customer:read', '--subject', 'alice'], 'token: --subject is gone'],
    ] as const) {
      const result = await run(args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(message);
    }
  });
});
