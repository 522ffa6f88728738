import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PORT_BASE,
  PORT_BASE,
  SERVICES,
  STACK_PORTS,
  databaseNameOf,
  databaseUrlVariableOf,
  defineServices,
  domainsOf,
  mcpUrl,
  parsePortBase,
  stackPorts,
} from './services.ts';
import type { StackEnvironment } from './services.ts';
import { DEV_ISSUER_PORT, DEV_ISSUER_URL } from './workspace.ts';

const stack: StackEnvironment = {
  databaseUrls: { customer: 'postgres://u@127.0.0.1:54320/mcpfed_customer' },
  redisUrl: 'redis://127.0.0.1:6379',
  issuerUrl: 'http://127.0.0.1:8090',
  logLevel: 'debug',
};

/** The services of a stack on the default ports, whatever MCPFED_PORT_BASE the test run has. */
const DEFAULT_SERVICES = defineServices(stackPorts(DEFAULT_PORT_BASE));

describe('SERVICES', () => {
  it('runs the customer server on 8081 with its own database, its own resource as audience and the shared settings', () => {
    const customer = DEFAULT_SERVICES.find((service) => service.name === 'customer');
    expect(customer).toMatchObject({ app: 'customer-server', port: 8081, database: 'customer', setup: ['migrate', 'seed'] });
    expect(customer?.env(stack)).toEqual({
      MCPFED_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: '8081',
      PUBLIC_URL: 'http://127.0.0.1:8081',
      DATABASE_URL: 'postgres://u@127.0.0.1:54320/mcpfed_customer',
      SQL_READER_PASSWORD: 'mcpfed-dev-reader',
      REDIS_URL: 'redis://127.0.0.1:6379',
      LOG_LEVEL: 'debug',
      AUTH_ISSUER: 'http://127.0.0.1:8090',
      // The issuer's metadata names its JWKS and token endpoint (discovery): no AUTH_JWKS_URL. Its own resource
      // only: the router and the order server's checkout exchange tokens addressed to it.
      AUTH_AUDIENCE: 'http://127.0.0.1:8081/mcp',
    });
    expect(customer === undefined ? '' : mcpUrl(customer)).toBe('http://127.0.0.1:8081/mcp');
  });

  it('keeps an explicit shared audience and JWKS URL when the stack environment gives them (benches)', () => {
    const customer = DEFAULT_SERVICES.find((service) => service.name === 'customer');
    expect(customer?.env({ ...stack, audience: 'mcpfed', jwksUrl: 'http://127.0.0.1:8090/jwks' })).toMatchObject({
      AUTH_AUDIENCE: 'mcpfed',
      AUTH_JWKS_URL: 'http://127.0.0.1:8090/jwks',
    });
  });

  it("lets the router exchange its callers' tokens, and gives order and payment their approval clients", () => {
    const env = (name: string) =>
      DEFAULT_SERVICES.find((service) => service.name === name)?.env({ ...stack, databaseUrls: { order: 'postgres://o', payment: 'postgres://p' } });
    expect(env('router')).toMatchObject({ ROUTER_UPSTREAM_AUTH: 'exchange', AUTH_AUDIENCE: 'http://127.0.0.1:8080/mcp', SERVICE_CLIENT_ID: 'router' });
    // Each upstream's resource is its url (the entries name no other): what the router exchanges tokens for.
    const upstreams = JSON.parse(env('router')?.['ROUTER_UPSTREAMS'] ?? '{}').upstreams as Array<{ url: string; resource?: string }>;
    expect(upstreams.map((upstream) => upstream.url)).toEqual(
      expect.arrayContaining(['http://127.0.0.1:8081/mcp', 'http://127.0.0.1:8082/mcp', 'http://127.0.0.1:8083/mcp', 'http://127.0.0.1:8084/mcp']),
    );
    expect(upstreams.filter((upstream) => upstream.resource !== undefined)).toEqual([]);
    expect(env('order')).toMatchObject({
      AUTH_AUDIENCE: 'http://127.0.0.1:8082/mcp',
      SERVICE_CLIENT_ID: 'order-server',
      APPROVAL_CLIENT_ID: 'order-approvals',
    });
    expect(env('order')).toMatchObject({
      PUBLIC_URL: 'http://127.0.0.1:8082',
      CUSTOMER_MCP_URL: 'http://127.0.0.1:8081/mcp',
      PRODUCT_MCP_URL: 'http://127.0.0.1:8083/mcp',
      PAYMENT_MCP_URL: 'http://127.0.0.1:8084/mcp',
    });
    expect(env('payment')).toMatchObject({ APPROVAL_CLIENT_ID: 'payment-approvals' });
    expect(env('payment')?.['APPROVAL_CLIENT_SECRET']?.length).toBeGreaterThanOrEqual(16);
  });

  it('has every server accept its own resource only, since the order server exchanges a token per upstream', () => {
    // Every domain of the stack, including one a generator added since.
    const databaseUrls = Object.fromEntries(domainsOf(DEFAULT_SERVICES).map((domain) => [domain, `postgres://${domain}`]));
    const audiences = Object.fromEntries(DEFAULT_SERVICES.map((service) => [service.name, service.env({ ...stack, databaseUrls })['AUTH_AUDIENCE']]));
    for (const service of DEFAULT_SERVICES) expect(audiences[service.name]).toBe(`http://127.0.0.1:${service.port}/mcp`);
    expect(audiences).toMatchObject({
      customer: 'http://127.0.0.1:8081/mcp',
      payment: 'http://127.0.0.1:8084/mcp',
      product: 'http://127.0.0.1:8083/mcp',
      order: 'http://127.0.0.1:8082/mcp',
      router: 'http://127.0.0.1:8080/mcp',
    });
  });

  it('refuses to build an environment without the service database', () => {
    const customer = DEFAULT_SERVICES.find((service) => service.name === 'customer');
    expect(() => customer?.env({ ...stack, databaseUrls: {} })).toThrow('no database for domain "customer"');
  });

  it('gives every service a unique name, port and app with an existing folder name pattern', () => {
    expect(new Set(SERVICES.map((service) => service.name)).size).toBe(SERVICES.length);
    expect(new Set(SERVICES.map((service) => service.port)).size).toBe(SERVICES.length);
    for (const service of SERVICES) expect(service.app).toMatch(/^[a-z][a-z0-9-]*$/);
  });

  it('names the databases and their override variables after the domain', () => {
    expect(domainsOf(SERVICES)).toEqual(['customer', 'payment', 'product', 'order']);
    expect(databaseNameOf('customer')).toBe('mcpfed_customer');
    expect(databaseUrlVariableOf('customer')).toBe('DATABASE_URL_CUSTOMER');
  });
});

describe('MCPFED_PORT_BASE', () => {
  it('keeps the ports of docs/architecture.md §2 by default', () => {
    expect(parsePortBase(undefined)).toEqual({ ok: true, base: 8080 });
    expect(parsePortBase('')).toEqual({ ok: true, base: 8080 });
    expect(stackPorts(DEFAULT_PORT_BASE)).toEqual({ router: 8080, customer: 8081, order: 8082, product: 8083, payment: 8084, devIssuer: 8090 });
  });

  it('moves every listener by the same amount', () => {
    expect(parsePortBase(' 23000 ')).toEqual({ ok: true, base: 23000 });
    expect(stackPorts(23000)).toEqual({ router: 23000, customer: 23001, order: 23002, product: 23003, payment: 23004, devIssuer: 23010 });
    const customer = defineServices(stackPorts(23000)).find((service) => service.name === 'customer');
    expect(customer?.port).toBe(23001);
    expect(customer?.env(stack)).toMatchObject({ PORT: '23001', PUBLIC_URL: 'http://127.0.0.1:23001' });
  });

  it.each(['abc', '8080.5', '-1', '1023', '65526', '1e4', '0x1f90'])('refuses %j with one line naming the variable', (value) => {
    expect(parsePortBase(value)).toEqual({
      ok: false,
      message: `MCPFED_PORT_BASE must be a whole number from 1024 to 65525, got "${value}" (unset it for the default 8080).`,
    });
  });

  it('accepts both ends of the range', () => {
    expect(parsePortBase('1024')).toEqual({ ok: true, base: 1024 });
    expect(parsePortBase('65525')).toEqual({ ok: true, base: 65525 });
  });

  it('derives this process’s services and dev issuer from one base', () => {
    expect(STACK_PORTS).toEqual(stackPorts(PORT_BASE));
    expect(SERVICES.find((service) => service.name === 'customer')?.port).toBe(PORT_BASE + 1);
    expect(DEV_ISSUER_PORT).toBe(PORT_BASE + 10);
    expect(DEV_ISSUER_URL).toBe(`http://127.0.0.1:${PORT_BASE + 10}`);
  });
});
