import { AppError } from '@mcpfed/errors';
import { describe, expect, it } from 'vitest';
import { localPrincipal } from './local-principal.ts';
import { hasScopes, missingScopes, requireScopes } from './require-scopes.ts';

const alice = localPrincipal({ name: 'alice', scopes: ['customer:read', 'customer:write'] });
const admin = localPrincipal({ name: 'root', scopes: ['admin'] });

describe('scopes', () => {
  it('holds a scope only when it was granted exactly', () => {
    expect(hasScopes(alice, ['customer:read'])).toBe(true);
    expect(hasScopes(alice, ['customer:read', 'customer:write'])).toBe(true);
    expect(hasScopes(alice, ['customer:read', 'customer:pii'])).toBe(false);
    expect(hasScopes(alice, ['customer'])).toBe(false);
    expect(hasScopes(alice, [])).toBe(true);
  });

  it('does not let admin imply other scopes', () => {
    expect(hasScopes(admin, ['admin'])).toBe(true);
    expect(hasScopes(admin, ['customer:read'])).toBe(false);
    expect(missingScopes(admin, ['admin', 'payment:refund'])).toEqual(['payment:refund']);
  });

  it('lists the missing scopes in the order required', () => {
    expect(missingScopes(alice, ['sql:read', 'customer:read', 'customer:pii'])).toEqual(['sql:read', 'customer:pii']);
    expect(missingScopes(alice, ['customer:write'])).toEqual([]);
  });

  it('throws FORBIDDEN with the required and missing scopes', () => {
    expect(() => requireScopes(alice, ['customer:read'])).not.toThrow();
    let caught: unknown;
    try {
      requireScopes(alice, ['customer:read', 'customer:pii']);
    } catch (error) {
      caught = error;
    }
    expect(AppError.is(caught)).toBe(true);
    const err = caught as AppError;
    expect(err.code).toBe('FORBIDDEN');
    expect(err.message).toBe('missing scope: customer:pii');
    expect(err.details).toEqual({ required: ['customer:read', 'customer:pii'], missing: ['customer:pii'] });
  });
});
