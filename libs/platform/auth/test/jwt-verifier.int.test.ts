import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, importJWK, SignJWT } from 'jose';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwtVerifier, DEV_ISSUER_KEY_FILE, loadOrCreateDevIssuer } from '../src/index.ts';
import type { DevIssuer, JwtVerifier } from '../src/index.ts';
import { createDevProvider } from '../src/dev-provider/index.ts';

// The iss claim is an identifier, not an address: the server below listens on a random port.
const ISSUER = 'http://dev-issuer.mcpfed.test';
const AUDIENCE = 'http://127.0.0.1:8081';

let dir: string;
let issuer: DevIssuer;
let server: Server;
let jwksUrl: string;
let jwksRequests = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpfed-auth-verifier-'));
  issuer = await loadOrCreateDevIssuer({ dir, issuerUrl: ISSUER });
  // The keys come from the oidc-provider dev provider, as the servers fetch them.
  ({ server } = createDevProvider({ issuer, resources: [AUDIENCE], scopes: ['customer:read', 'customer:pii', 'order:write'] }));
  server.on('request', (req) => {
    if (req.url === '/jwks') jwksRequests += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

function verifier(overrides: Partial<Parameters<typeof createJwtVerifier>[0]> = {}): JwtVerifier {
  return createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl, ...overrides });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The shape of the error a refused token must produce. */
const unauthenticated = (message: string) => ({ code: 'UNAUTHENTICATED', message, retryable: false });

describe('createJwtVerifier and the act claim (RFC 8693)', () => {
  const signed = async (claims: Record<string, unknown>) =>
    new SignJWT({ scope: 'order:read', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: issuer.kid, typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setSubject('anna')
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(await importJWK(issuer.privateJwk(), 'ES256'));

  it('reads the actor chain, most recent first, and keeps the caller as the principal', async () => {
    expect(await verifier().verify(await signed({ act: { sub: 'order-server', act: { sub: 'router' } } }))).toMatchObject({
      id: 'anna',
      kind: 'user',
      actor: 'order-server',
      actors: ['order-server', 'router'],
    });
  });

  it('reads scopes from scp when there is no scope claim (Okta, Entra ID)', async () => {
    expect((await verifier().verify(await signed({ scope: undefined, scp: ['order:read', 'order:write'] }))).scopes).toEqual(
      new Set(['order:read', 'order:write']),
    );
    expect((await verifier().verify(await signed({ scope: undefined, scp: 'customer:read' }))).scopes).toEqual(new Set(['customer:read']));
    expect((await verifier().verify(await signed({ scp: 'customer:read' }))).scopes).toEqual(new Set(['order:read']));
  });

  it('refuses a malformed act claim', async () => {
    for (const act of [
      'router',
      { sub: '' },
      { sub: 'a', act: { name: 'b' } },
      Array.from({ length: 9 }).reduce<unknown>((inner) => ({ sub: 's', ...(inner ? { act: inner } : {}) }), undefined),
    ]) {
      await expect(verifier().verify(await signed({ act }))).rejects.toMatchObject(unauthenticated('token act claim invalid'));
    }
  });
});

describe('createJwtVerifier against a real dev issuer', () => {
  it('turns a valid user token into a principal with exactly its scopes', async () => {
    const token = await issuer.mint({ subject: 'user-42', scopes: ['customer:read', 'customer:pii'], audience: AUDIENCE });
    const principal = await verifier().verify(token);
    expect(principal.id).toBe('user-42');
    expect(principal.subject).toBe('user-42');
    expect(principal.kind).toBe('user');
    expect([...principal.scopes].sort()).toEqual(['customer:pii', 'customer:read']);
    expect(principal.actor).toBeUndefined();
    expect(principal.token).toBe(token);
    expect(principal.expiresAt).toBeGreaterThanOrEqual(nowSeconds() + 3590);
    expect(principal.expiresAt).toBeLessThanOrEqual(nowSeconds() + 3600);
  });

  it('accepts a token for one of several audiences and one without scopes', async () => {
    const token = await issuer.mint({ subject: 'u', scopes: [], audience: ['mcpfed-federation'] });
    const principal = await verifier({ audience: [AUDIENCE, 'mcpfed-federation'] }).verify(token);
    expect(principal.scopes.size).toBe(0);
  });

  it('tells a service from a user by standard claims only (sub = client_id, no act)', async () => {
    const own = await verifier().verify(await issuer.mint({ subject: 'svc-worker', scopes: [], audience: AUDIENCE, clientId: 'svc-worker' }));
    expect(own).toMatchObject({ id: 'svc-worker', kind: 'service' });
    expect(own.actor).toBeUndefined();
    // A person's token from a client app, and one a service exchanged for a person's: the person is the principal.
    const app = await verifier().verify(await issuer.mint({ subject: 'user-42', scopes: [], audience: AUDIENCE, clientId: 'claude-desktop' }));
    expect(app).toMatchObject({ id: 'user-42', kind: 'user' });
    const exchanged = await verifier().verify(
      await issuer.mint({ subject: 'user-42', scopes: ['customer:read'], audience: AUDIENCE, clientId: 'order-server', actors: ['order-server', 'router'] }),
    );
    expect(exchanged).toMatchObject({ id: 'user-42', subject: 'user-42', kind: 'user', actor: 'order-server', actors: ['order-server', 'router'] });
    // An invented claim decides nothing.
    const invented = await verifier().verify(await issuer.mint({ subject: 'user-43', scopes: [], audience: AUDIENCE }));
    expect(invented.kind).toBe('user');
  });

  it('binds a principal to the customer of its customer claim (default customer_id, or the configured claim)', async () => {
    const bound = await verifier().verify(await issuer.mint({ subject: 'shopper', scopes: ['order:write'], audience: AUDIENCE, customerId: 'cus_a' }));
    expect(bound.customerId).toBe('cus_a');
    const unbound = await verifier().verify(await issuer.mint({ subject: 'staff', scopes: ['customer:any'], audience: AUDIENCE }));
    expect(unbound.customerId).toBeUndefined();
    const custom = await issuer.mint({
      subject: 'shopper',
      scopes: [],
      audience: AUDIENCE,
      customerId: 'cus_b',
      customerClaim: 'https://shop.example/customer',
    });
    expect((await verifier({ customerClaim: 'https://shop.example/customer' }).verify(custom)).customerId).toBe('cus_b');
    // A verifier reading another claim does not see the binding: the claim name must match the issuer's.
    expect((await verifier().verify(custom)).customerId).toBeUndefined();
  });

  it('refuses a token whose customer claim is not a customer id, rather than treating it as unbound', async () => {
    // Signed with the dev issuer's own key, so only the claim check can refuse it.
    const privateKey = await importJWK(JSON.parse(await readFile(join(dir, DEV_ISSUER_KEY_FILE), 'utf8')) as JWK, 'ES256');
    const bad = await new SignJWT({ scope: 'order:write', customer_id: ['cus_a', 'cus_b'] })
      .setProtectedHeader({ alg: 'ES256', kid: issuer.kid })
      .setIssuer(ISSUER)
      .setSubject('shopper')
      .setAudience(AUDIENCE)
      .setExpirationTime(nowSeconds() + 60)
      .sign(privateKey);
    await expect(verifier().verify(bad)).rejects.toMatchObject(unauthenticated('token customer claim invalid'));
    expect(() => createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl, customerClaim: 'sub' })).toThrow(/customerClaim/);
  });

  it('refuses an expired token', async () => {
    const token = await issuer.mint({ subject: 'u', scopes: [], audience: AUDIENCE, expiresAt: nowSeconds() - 120 });
    await expect(verifier().verify(token)).rejects.toMatchObject(unauthenticated('token expired'));
  });

  it('tolerates clock skew within clockToleranceSeconds', async () => {
    const token = await issuer.mint({ subject: 'u', scopes: [], audience: AUDIENCE, expiresAt: nowSeconds() - 5 });
    await expect(verifier().verify(token)).resolves.toMatchObject({ id: 'u' });
    await expect(verifier({ clockToleranceSeconds: 0 }).verify(token)).rejects.toMatchObject(unauthenticated('token expired'));
  });

  it('refuses a token for another audience', async () => {
    const token = await issuer.mint({ subject: 'u', scopes: [], audience: 'http://127.0.0.1:8082' });
    await expect(verifier().verify(token)).rejects.toMatchObject(unauthenticated('token audience mismatch'));
  });

  it('refuses a token from another issuer, even one signed with a trusted key', async () => {
    const sameKeyOtherIssuer = await loadOrCreateDevIssuer({ dir, issuerUrl: 'http://evil.example' });
    expect(sameKeyOtherIssuer.kid).toBe(issuer.kid);
    const token = await sameKeyOtherIssuer.mint({ subject: 'u', scopes: ['admin'], audience: AUDIENCE });
    await expect(verifier().verify(token)).rejects.toMatchObject(unauthenticated('token issuer mismatch'));
  });

  it('refuses a token signed by a key the issuer does not publish', async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'mcpfed-auth-other-'));
    try {
      const other = await loadOrCreateDevIssuer({ dir: otherDir, issuerUrl: ISSUER });
      expect(other.kid).not.toBe(issuer.kid);
      const token = await other.mint({ subject: 'u', scopes: ['admin'], audience: AUDIENCE });
      await expect(verifier().verify(token)).rejects.toMatchObject(unauthenticated('token signing key unknown'));
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('refuses a forged token that claims the trusted kid', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ scope: 'admin' })
      .setProtectedHeader({ alg: 'ES256', kid: issuer.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('attacker')
      .setExpirationTime('1h')
      .sign(privateKey);
    await expect(verifier().verify(forged)).rejects.toMatchObject(unauthenticated('token signature invalid'));
  });

  it('refuses an algorithm that is not allowed', async () => {
    const token = await issuer.mint({ subject: 'u', scopes: [], audience: AUDIENCE });
    await expect(verifier({ algorithms: ['RS256'] }).verify(token)).rejects.toMatchObject(unauthenticated('token algorithm not allowed'));
  });

  it.each([['not-a-jwt'], ['a.b.c'], [''], ['x'.repeat(20_000)]])('refuses garbage %#', async (garbage) => {
    await expect(verifier().verify(garbage)).rejects.toMatchObject(unauthenticated('token malformed'));
  });

  it('serves a repeated token from its cache and fetches the JWKS once per verifier', async () => {
    const v = verifier();
    const before = jwksRequests;
    const token = await issuer.mint({ subject: 'cached', scopes: ['order:read'], audience: AUDIENCE });
    const first = await v.verify(token);
    expect(jwksRequests).toBe(before + 1);
    const again = await Promise.all(Array.from({ length: 50 }, () => v.verify(token)));
    for (const p of again) expect(p).toBe(first);
    const second = await v.verify(await issuer.mint({ subject: 'other', scopes: [], audience: AUDIENCE }));
    expect(second.id).toBe('other');
    expect(jwksRequests).toBe(before + 1);
  });

  it('stops serving a cached token once it expires', async () => {
    const v = verifier({ clockToleranceSeconds: 0 });
    const token = await issuer.mint({ subject: 'short', scopes: [], audience: AUDIENCE, expiresAt: nowSeconds() + 1 });
    await expect(v.verify(token)).resolves.toMatchObject({ id: 'short' });
    await new Promise((resolve) => setTimeout(resolve, (nowSeconds() + 2) * 1000 - Date.now()));
    await expect(v.verify(token)).rejects.toMatchObject(unauthenticated('token expired'));
  });

  it('evicts the oldest entry when the cache is full', async () => {
    const v = verifier({ cacheSize: 2 });
    const tokens = await Promise.all(['a', 'b', 'c'].map((subject) => issuer.mint({ subject, scopes: [], audience: AUDIENCE })));
    // One after the other: the insertion order is what the eviction follows.
    const a = await v.verify(tokens[0] as string);
    const b = await v.verify(tokens[1] as string);
    const c = await v.verify(tokens[2] as string);
    expect(await v.verify(tokens[2] as string)).toBe(c);
    expect(await v.verify(tokens[1] as string)).toBe(b);
    const aAgain = await v.verify(tokens[0] as string);
    expect(aAgain).not.toBe(a);
    expect(aAgain).toEqual(a);
  });

  it('refuses a token for another audience, whatever its cache holds for the same subject', async () => {
    const elsewhere = 'http://127.0.0.1:8099';
    const v = verifier();
    const mine = await issuer.mint({ subject: 'aud-check', scopes: ['order:read'], audience: AUDIENCE });
    const theirs = await issuer.mint({ subject: 'aud-check', scopes: ['order:read'], audience: elsewhere });
    const first = await v.verify(mine);
    await expect(v.verify(theirs)).rejects.toMatchObject(unauthenticated('token audience mismatch'));
    await expect(v.verify(theirs)).rejects.toMatchObject(unauthenticated('token audience mismatch'));
    expect(await v.verify(mine)).toBe(first);
    // Each verifier has its own cache: what one accepted, another audience's verifier still checks.
    const other = verifier({ audience: elsewhere });
    await expect(other.verify(mine)).rejects.toMatchObject(unauthenticated('token audience mismatch'));
    expect((await other.verify(theirs)).id).toBe('aud-check');
  });

  it('never serves a cached verification to another token with the same claims', async () => {
    const v = verifier();
    const claims = { subject: 'same-claims', scopes: ['order:read'], audience: AUDIENCE, expiresAt: nowSeconds() + 300 };
    const token = await issuer.mint(claims);
    const first = await v.verify(token);
    // Same header and claims, another signature: a cache keyed by claims would accept it.
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forged = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
    await expect(v.verify(forged)).rejects.toMatchObject(unauthenticated('token signature invalid'));
    await expect(v.verify(forged)).rejects.toMatchObject(unauthenticated('token signature invalid'));
    // A second genuine token with the same claims (ES256 signatures differ) is verified on its own.
    const twin = await issuer.mint(claims);
    expect(twin).not.toBe(token);
    const second = await v.verify(twin);
    expect(second).not.toBe(first);
    expect(second).toMatchObject({ id: 'same-claims', token: twin, expiresAt: claims.expiresAt });
    expect(await v.verify(token)).toBe(first);
    expect(await v.verify(twin)).toBe(second);
  });

  it('holds at most cacheSize verified tokens', async () => {
    const v = verifier({ cacheSize: 3 });
    const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => issuer.mint({ subject: `bounded-${i}`, scopes: [], audience: AUDIENCE })));
    const principals = [];
    for (const token of tokens) principals.push(await v.verify(token));
    // The last three are served from the cache; every earlier one was evicted and is verified again.
    for (let i = 7; i < 10; i++) expect(await v.verify(tokens[i] as string)).toBe(principals[i]);
    const again = await v.verify(tokens[0] as string);
    expect(again).not.toBe(principals[0]);
    expect(again).toEqual(principals[0]);
  });

  it('reports unreachable issuer keys as UPSTREAM_UNAVAILABLE, not as a bad token', async () => {
    // A port that was free a moment ago: nothing answers there.
    const { createServer } = await import('node:http');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const v = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: `http://127.0.0.1:${port}/jwks` });
    await expect(v.verify(await issuer.mint({ subject: 'u', scopes: [], audience: AUDIENCE }))).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      message: 'token signing keys unavailable',
      retryable: true,
    });
  });

  it('validates its configuration', () => {
    const ok = { issuer: ISSUER, audience: AUDIENCE, jwksUrl: 'http://127.0.0.1:1/jwks' };
    for (const bad of [
      { ...ok, issuer: '' },
      { ...ok, audience: [] },
      { ...ok, jwksUrl: 'not a url' },
      { ...ok, algorithms: ['HS256'] },
      { ...ok, algorithms: [] },
      { ...ok, clockToleranceSeconds: -1 },
      { ...ok, cacheSize: 1.5 },
    ]) {
      expect(() => createJwtVerifier(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    }
  });
});

describe('the published keys', () => {
  it("never publish the private key, in the issuer nor at the provider's JWKS", async () => {
    for (const key of issuer.publicJwks().keys) expect(key).not.toHaveProperty('d');
    const served = (await (await fetch(jwksUrl)).json()) as { keys: JWK[] };
    expect(served.keys).toEqual([expect.objectContaining({ kid: issuer.kid, alg: 'ES256', kty: 'EC' })]);
    for (const key of served.keys) expect(key).not.toHaveProperty('d');
  });
});
