import { describe, expect, it } from 'vitest';
import { devProviderClients } from './service-clients.ts';

const resources = { router: 'http://127.0.0.1:8080/mcp', order: 'http://127.0.0.1:8082/mcp', payment: 'http://127.0.0.1:8084/mcp' };

describe('devProviderClients', () => {
  it('lets the order server exchange tokens addressed to it, adding only the scopes its checkout steps need', () => {
    const order = devProviderClients(resources).find((client) => client.id === 'order-server');
    expect(order).toMatchObject({
      exchangeAudiences: ['http://127.0.0.1:8082/mcp'],
      actorScopes: ['customer:read', 'product:read', 'product:write', 'payment:read', 'payment:write'],
    });
    // Never customer:any: a checkout for a shopper stays bound to that shopper's customer.
    expect(order?.actorScopes).not.toContain('customer:any');
  });

  it('registers each approval page with its callback on its own server', () => {
    const clients = devProviderClients(resources);
    expect(clients.find((client) => client.id === 'order-approvals')?.redirectUris).toEqual(['http://127.0.0.1:8082/approvals/callback']);
    expect(clients.find((client) => client.id === 'payment-approvals')?.redirectUris).toEqual(['http://127.0.0.1:8084/approvals/callback']);
  });

  it('gives the router token exchange for its own resource and no actor scopes', () => {
    const router = devProviderClients(resources).find((client) => client.id === 'router');
    expect(router).toMatchObject({ exchangeAudiences: ['http://127.0.0.1:8080/mcp'] });
    expect(router?.actorScopes).toBeUndefined();
  });
});
