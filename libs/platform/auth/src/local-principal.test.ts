import { describe, expect, it } from 'vitest';
import { localPrincipal } from './local-principal.ts';

describe('localPrincipal', () => {
  it('builds a local principal with exactly the configured scopes', () => {
    const p = localPrincipal({ name: 'alice', scopes: ['customer:read', 'sql:read'] });
    expect(p).toEqual({ id: 'local:alice', subject: 'alice', kind: 'local', scopes: new Set(['customer:read', 'sql:read']) });
    expect(p.token).toBeUndefined();
    expect(Object.isFrozen(p)).toBe(true);
  });

  it('refuses an empty name or a malformed scope', () => {
    expect(() => localPrincipal({ name: ' ', scopes: [] })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => localPrincipal({ name: 'a', scopes: ['a b'] })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
