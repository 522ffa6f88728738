import { describe, expect, it } from 'vitest';
import { localPrincipal } from '@mcpfed/auth';
import type { Principal } from '@mcpfed/auth';
import type { ServiceTokens } from './service-tokens.ts';
import { UpstreamCredentials } from './upstream-credentials.ts';

/** Service token sources that record what they were asked for. */
function recordingSources() {
  const made: string[][] = [];
  const asked: Array<{ scopes: readonly string[]; audience: string }> = [];
  const serviceTokens = (scopes: readonly string[]): ServiceTokens => {
    made.push([...scopes]);
    return { token: async (request) => (asked.push({ scopes, ...request }), `service-token(${scopes.join(' ')})`) };
  };
  return { made, asked, serviceTokens };
}

const user: Principal = { id: 'alice', subject: 'alice', scopes: new Set(['order:read']), kind: 'user', token: 'alice-token' };

describe('UpstreamCredentials', () => {
  it("forwards an HTTP caller's own token, and never a service token for it", async () => {
    const { made, serviceTokens } = recordingSources();
    const credentials = new UpstreamCredentials({ audience: 'mcpfed', serviceTokens, serviceScopes: ['order:read'] });
    expect(await credentials.tokenFor(user)).toBe('alice-token');
    await expect(credentials.tokenFor({ ...user, token: undefined } as unknown as Principal)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(credentials.tokenFor(localPrincipal({ name: 'bob', scopes: ['order:read'] }))).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(made).toEqual([]);
  });

  it("exchanges an HTTP caller's token for each upstream in exchange mode, never forwarding it", async () => {
    const asked: Array<Record<string, unknown>> = [];
    const exchangeTokens: ServiceTokens = { token: async (request) => (asked.push({ ...request }), `exchanged-for(${request.audience})`) };
    const { serviceTokens } = recordingSources();
    const credentials = new UpstreamCredentials({ audience: 'mcpfed', serviceTokens, serviceScopes: ['order:read'], upstreamAuth: 'exchange', exchangeTokens });
    expect(await credentials.tokenFor(user, undefined, 'http://order.internal/mcp')).toBe('exchanged-for(http://order.internal/mcp)');
    expect(asked).toEqual([{ audience: 'http://order.internal/mcp', subjectToken: 'alice-token' }]);
    await expect(credentials.tokenFor(user)).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(() => new UpstreamCredentials({ audience: 'mcpfed', serviceTokens, serviceScopes: [], upstreamAuth: 'exchange' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it("asks for the local caller the router's own token with only the caller's scopes that the router may ask for", async () => {
    const { made, asked, serviceTokens } = recordingSources();
    const local = localPrincipal({ name: 'dev', scopes: ['order:read', 'customer:read', 'inventory:magic'] });
    const credentials = new UpstreamCredentials({
      audience: 'mcpfed',
      serviceTokens,
      serviceScopes: ['customer:read', 'customer:pii', 'order:read', 'admin'],
      localPrincipal: local,
    });
    expect(credentials.droppedLocalScopes).toEqual(['inventory:magic']);
    expect(await credentials.tokenFor(local)).toBe('service-token(order:read customer:read)');
    expect(made).toEqual([['order:read', 'customer:read']]);
    expect(asked).toEqual([{ scopes: ['order:read', 'customer:read'], audience: 'mcpfed' }]);
    await expect(credentials.tokenFor(localPrincipal({ name: 'other', scopes: ['order:read'] }))).rejects.toMatchObject({ code: 'INTERNAL' });
    // Exchanging, every upstream accepts only its own audience: the local caller's token is addressed to it.
    const exchanging = new UpstreamCredentials({
      audience: 'mcpfed',
      serviceTokens,
      serviceScopes: ['order:read'],
      localPrincipal: local,
      upstreamAuth: 'exchange',
      exchangeTokens: serviceTokens(['order:read']),
    });
    await exchanging.tokenFor(local, undefined, 'http://order.internal/mcp');
    expect(asked.at(-1)).toEqual({ scopes: ['order:read'], audience: 'http://order.internal/mcp' });
  });

  it('refuses a local caller none of whose scopes the router may ask for', () => {
    const { serviceTokens } = recordingSources();
    expect(
      () =>
        new UpstreamCredentials({
          audience: 'mcpfed',
          serviceTokens,
          serviceScopes: ['order:read'],
          localPrincipal: localPrincipal({ name: 'dev', scopes: ['payment:refund'] }),
        }),
    ).toThrow(/STDIO_SCOPES grants none of the scopes/);
  });
});
