import { DEV_CLI_CLIENT } from '@mcpfed/dev-stack';
import { describe, expect, it } from 'vitest';
import { devIssuerConfigSchema, providerClientsOf } from './dev-issuer-config.ts';

const SECRET = 'a-secret-of-at-least-16-characters';

describe('dev issuer settings', () => {
  it('defaults to the npm start resources', () => {
    const config = devIssuerConfigSchema.parse({});
    expect(config.DEV_ISSUER_RESOURCES).toEqual([
      'http://127.0.0.1:8080/mcp',
      'http://127.0.0.1:8081/mcp',
      'http://127.0.0.1:8082/mcp',
      'http://127.0.0.1:8083/mcp',
      'http://127.0.0.1:8084/mcp',
    ]);
    expect(config.ROUTER_RESOURCE).toBe('http://127.0.0.1:8080/mcp');
  });

  it('refuses a router, order or payment resource that is not one of DEV_ISSUER_RESOURCES', () => {
    const result = devIssuerConfigSchema.safeParse({ DEV_ISSUER_RESOURCES: 'http://localhost:8081/mcp', ROUTER_RESOURCE: 'http://localhost:8081/mcp' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['ORDER_RESOURCE', 'PAYMENT_RESOURCE']);
  });

  it("registers a confidential client only with its secret from the environment, for this deployment's resources", () => {
    const config = devIssuerConfigSchema.parse({
      DEV_ISSUER_RESOURCES: 'http://localhost:8080/mcp,http://localhost:8082/mcp,http://localhost:8084/mcp',
      ROUTER_RESOURCE: 'http://localhost:8080/mcp',
      ORDER_RESOURCE: 'http://localhost:8082/mcp',
      PAYMENT_RESOURCE: 'http://localhost:8084/mcp',
      ROUTER_CLIENT_SECRET: SECRET,
      ORDER_APPROVAL_CLIENT_SECRET: `${SECRET}-approvals`,
    });
    const clients = providerClientsOf(config);
    expect(clients.map((client) => client.id).sort()).toEqual([DEV_CLI_CLIENT.id, 'order-approvals', 'router'].sort());
    expect(clients.find((client) => client.id === 'router')).toMatchObject({ secret: SECRET, exchangeAudiences: ['http://localhost:8080/mcp'] });
    expect(clients.find((client) => client.id === 'order-approvals')).toMatchObject({ redirectUris: ['http://localhost:8082/approvals/callback'] });
    expect(clients.find((client) => client.id === DEV_CLI_CLIENT.id)?.secret).toBeUndefined();
  });
});
