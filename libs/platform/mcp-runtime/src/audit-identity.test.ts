import { describe, expect, it } from 'vitest';
import { auditIdentity } from './audit-identity.ts';

const base = { id: 'anna', subject: 'anna', scopes: new Set<string>(), kind: 'user' as const };

describe('auditIdentity', () => {
  it('names the caller and, for an exchanged token, the chain of services acting for it', () => {
    expect(auditIdentity(base)).toEqual({ principalId: 'anna', actors: [] });
    expect(auditIdentity({ ...base, actor: 'order-server', actors: ['order-server', 'router'] })).toEqual({
      principalId: 'anna',
      actors: ['order-server', 'router'],
    });
  });

  it('names a service calling for itself as the principal, with no actors', () => {
    expect(auditIdentity({ ...base, id: 'order-server', subject: 'order-server', kind: 'service' })).toEqual({ principalId: 'order-server', actors: [] });
  });
});
