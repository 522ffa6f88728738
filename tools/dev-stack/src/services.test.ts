import { describe, expect, it } from 'vitest';
import { SERVICES, databaseNameOf, databaseUrlVariableOf, domainsOf, mcpUrl } from './services.ts';
import type { StackEnvironment } from './services.ts';

const stack: StackEnvironment = {
  databaseUrls: { customer: 'postgres://u@127.0.0.1:54320/mcpfed_customer' },
  redisUrl: 'redis://127.0.0.1:6379',
  issuerUrl: 'http://127.0.0.1:8090',
  jwksUrl: 'http://127.0.0.1:8090/.well-known/jwks.json',
  audience: 'mcpfed',
  logLevel: 'debug',
};

describe('SERVICES', () => {
  it('runs the customer server on 8081 with its own database and the shared settings', () => {
    const customer = SERVICES.find((service) => service.name === 'customer');
    expect(customer).toMatchObject({ app: 'customer-server', port: 8081, database: 'customer', setup: ['migrate', 'seed'] });
    expect(customer?.env(stack)).toEqual({
      HOST: '127.0.0.1',
      PORT: '8081',
      PUBLIC_URL: 'http://127.0.0.1:8081',
      DATABASE_URL: 'postgres://u@127.0.0.1:54320/mcpfed_customer',
      SQL_READER_PASSWORD: 'mcpfed-dev-reader',
      REDIS_URL: 'redis://127.0.0.1:6379',
      LOG_LEVEL: 'debug',
      AUTH_ISSUER: 'http://127.0.0.1:8090',
      AUTH_AUDIENCE: 'mcpfed',
      AUTH_JWKS_URL: 'http://127.0.0.1:8090/.well-known/jwks.json',
    });
    expect(customer === undefined ? '' : mcpUrl(customer)).toBe('http://127.0.0.1:8081/mcp');
  });

  it('refuses to build an environment without the service database', () => {
    const customer = SERVICES.find((service) => service.name === 'customer');
    expect(() => customer?.env({ ...stack, databaseUrls: {} })).toThrow('no database for domain "customer"');
  });

  it('gives every service a unique name, port and app with an existing folder name pattern', () => {
    expect(new Set(SERVICES.map((service) => service.name)).size).toBe(SERVICES.length);
    expect(new Set(SERVICES.map((service) => service.port)).size).toBe(SERVICES.length);
    for (const service of SERVICES) expect(service.app).toMatch(/^[a-z][a-z0-9-]*$/);
  });

  it('names the databases and their override variables after the domain', () => {
    expect(domainsOf(SERVICES)).toEqual(['customer']);
    expect(databaseNameOf('customer')).toBe('mcpfed_customer');
    expect(databaseUrlVariableOf('customer')).toBe('DATABASE_URL_CUSTOMER');
  });
});
