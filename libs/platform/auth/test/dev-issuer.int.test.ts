import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEV_ISSUER_KEY_FILE, loadOrCreateDevIssuer } from '../src/index.ts';

const ISSUER = 'http://127.0.0.1:8090';
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mcpfed-auth-dev-issuer-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadOrCreateDevIssuer', () => {
  it('creates the key file with mode 0600 in a new directory and reuses it on the next load', async () => {
    const dir = join(root, 'nested', 'issuer');
    const first = await loadOrCreateDevIssuer({ dir, issuerUrl: ISSUER });
    const file = join(dir, DEV_ISSUER_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const onDisk = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(onDisk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: first.kid, alg: 'ES256', use: 'sig' });
    expect(typeof onDisk.d).toBe('string');

    const second = await loadOrCreateDevIssuer({ dir, issuerUrl: ISSUER });
    expect(second.kid).toBe(first.kid);
    expect(second.publicJwks()).toEqual(first.publicJwks());
    expect(await readFile(file, 'utf8')).toBe(JSON.stringify(onDisk, null, 2) + '\n');
  });

  it('gives concurrent creators one and the same key and leaves no temporary files', async () => {
    const issuers = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateDevIssuer({ dir: root, issuerUrl: ISSUER })));
    expect(new Set(issuers.map((i) => i.kid)).size).toBe(1);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(root)).toEqual([DEV_ISSUER_KEY_FILE]);
  });

  it('mints tokens with the documented claims and defaults', async () => {
    const issuer = await loadOrCreateDevIssuer({ dir: root, issuerUrl: ISSUER });
    const before = Math.floor(Date.now() / 1000);
    const token = await issuer.mint({ subject: 'alice', scopes: ['customer:read', 'sql:read'], audience: 'http://127.0.0.1:8081' });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: issuer.kid, typ: 'at+jwt' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: ISSUER, sub: 'alice', aud: ['http://127.0.0.1:8081'], scope: 'customer:read sql:read' });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(claims).not.toHaveProperty('token_use');
    expect(typeof claims.jti).toBe('string');

    const service = decodeJwt(await issuer.mint({ subject: 'svc', scopes: [], audience: 'a', kind: 'service', ttlSeconds: 60 }));
    expect(service).toMatchObject({ client_id: 'svc', scope: '' });
    expect(service).not.toHaveProperty('token_use');
    expect(service).not.toHaveProperty('act');
    const exchanged = decodeJwt(
      await issuer.mint({ subject: 'alice', scopes: [], audience: 'a', clientId: 'order-server', actors: ['order-server', 'router'] }),
    );
    expect(exchanged).toMatchObject({ sub: 'alice', client_id: 'order-server', act: { sub: 'order-server', act: { sub: 'router' } } });
    expect((service.exp as number) - (service.iat as number)).toBe(60);
  });

  it('refuses mint options that would produce a misleading token', async () => {
    const issuer = await loadOrCreateDevIssuer({ dir: root, issuerUrl: ISSUER });
    const ok = { subject: 'alice', scopes: [], audience: 'a' };
    for (const bad of [
      { ...ok, subject: '' },
      { ...ok, scopes: ['two words'] },
      { ...ok, audience: [] },
      { ...ok, ttlSeconds: 0 },
      { ...ok, expiresAt: 1.5 },
      { ...ok, actors: [''] },
      { ...ok, clientId: '' },
    ]) {
      await expect(issuer.mint(bad)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });

  it('refuses a corrupt key file instead of replacing it', async () => {
    await writeFile(join(root, DEV_ISSUER_KEY_FILE), '{"kty":"oct","k":"abc"}', { mode: 0o600 });
    await expect(loadOrCreateDevIssuer({ dir: root, issuerUrl: ISSUER })).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    expect(await readFile(join(root, DEV_ISSUER_KEY_FILE), 'utf8')).toBe('{"kty":"oct","k":"abc"}');
  });
});
