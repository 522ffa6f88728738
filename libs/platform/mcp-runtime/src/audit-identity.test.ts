import { describe, expect, it } from 'vitest';
import { auditIdentity } from './audit-identity.ts';

const base = { id: 'anna', subject: 'anna', scopes: new Set<string>(), kind: 'user' as const };

describe('auditIdentity', () => {
  it('names the caller and, for an exchanged token, the service acting for it', () => {
    expect(auditIdentity(base)).toEqual({ principalId: 'anna', actingFor: undefined });
    expect(auditIdentity({ ...base, actor: 'order-server', actors: ['order-server', 'router'] })).toEqual({ principalId: 'anna', actingFor: 'order-server' });
  });

  it('keeps the acting-for subject of a service token', () => {
    expect(auditIdentity({ ...base, id: 'order-server', subject: 'order-server', kind: 'service', actingFor: 'anna' })).toEqual({ principalId: 'order-server', actingFor: 'anna' });
  });
});
