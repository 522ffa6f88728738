import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '@mcpfed/config';
import { DEVELOPMENT_CALLER_TOKEN_KEY, orderConfigSchema } from './config.ts';

const BASE = { MCPFED_ENV: 'development', DATABASE_URL: 'postgres://app:secret@db.internal:5432/order' };

describe('orderConfigSchema', () => {
  it('has the documented defaults', () => {
    const config = parseConfig(orderConfigSchema, { ...BASE, AUTH_ISSUER: 'https://login.example.com/' });
    expect(config).toMatchObject({
      PORT: 8082,
      CUSTOMER_MCP_URL: 'http://127.0.0.1:8081/mcp',
      PRODUCT_MCP_URL: 'http://127.0.0.1:8083/mcp',
      PAYMENT_MCP_URL: 'http://127.0.0.1:8084/mcp',
      SERVICE_CLIENT_ID: 'order-server',
      UPSTREAM_CONCURRENCY: 256,
      SAGA_ATTEMPTS: 8,
      SAGA_BACKOFF_MS: 1000,
      SAGA_STUCK_AFTER_MS: 60_000,
      RESERVATION_TTL_SECONDS: 900,
      QUEUE_PREFIX: '{mcpfed:order}',
      ORDER_EVENTS_PREFIX: '{mcpfed:events}',
      ORDER_EVENT_SUBSCRIBERS: ['customer'],
      SQL_DATABASE_URL: 'postgres://order_sql_reader@db.internal:5432/order',
    });
    expect(config.SERVICE_CLIENT_SECRET).toBeUndefined();
    // No guessed token endpoint: it comes from the issuer's metadata at start unless AUTH_TOKEN_URL says otherwise.
    expect(config.AUTH_TOKEN_URL).toBeUndefined();
  });

  it('takes an explicit token URL and a list of subscribers', () => {
    const config = parseConfig(orderConfigSchema, { ...BASE, AUTH_TOKEN_URL: 'https://idp.example.com/token', ORDER_EVENT_SUBSCRIBERS: 'customer, analytics' });
    expect(config.AUTH_TOKEN_URL).toBe('https://idp.example.com/token');
    expect(config.ORDER_EVENT_SUBSCRIBERS).toEqual(['customer', 'analytics']);
  });

  it("exchanges callers' tokens by default, with a development sealing key; takes the service fallback and upstream audiences", () => {
    const config = parseConfig(orderConfigSchema, BASE);
    expect(config.ORDER_UPSTREAM_AUTH).toBe('exchange');
    expect(config.callerTokenKey).toEqual(Buffer.from(DEVELOPMENT_CALLER_TOKEN_KEY, 'base64'));
    expect(config.callerTokenKey).toHaveLength(32);
    expect(config.CUSTOMER_MCP_AUDIENCE).toBeUndefined();
    const key = Buffer.alloc(32, 7).toString('base64');
    const production = parseConfig(orderConfigSchema, {
      ...BASE,
      MCPFED_ENV: 'production',
      AUDIT_DIGEST_KEY: 'x'.repeat(40),
      SQL_READER_PASSWORD: 'pw',
      CALLER_TOKEN_KEY: key,
      ORDER_UPSTREAM_AUTH: 'service',
      PAYMENT_MCP_AUDIENCE: 'https://payments.example.com/mcp',
    });
    expect([production.ORDER_UPSTREAM_AUTH, production.callerTokenKey.toString('base64'), production.PAYMENT_MCP_AUDIENCE]).toEqual([
      'service',
      key,
      'https://payments.example.com/mcp',
    ]);
  });

  it('refuses a missing database, a bad upstream URL, a zero retry budget, a bad sealing key or mode, naming each', () => {
    for (const [env, name] of [
      [{}, 'DATABASE_URL'],
      [{ ...BASE, MCPFED_ENV: 'production', AUDIT_DIGEST_KEY: 'x'.repeat(40), SQL_READER_PASSWORD: 'pw' }, 'CALLER_TOKEN_KEY'],
      [{ ...BASE, CALLER_TOKEN_KEY: Buffer.alloc(16).toString('base64') }, 'CALLER_TOKEN_KEY'],
      [{ ...BASE, CALLER_TOKEN_KEY: 'not base64 at all!' }, 'CALLER_TOKEN_KEY'],
      [{ ...BASE, ORDER_UPSTREAM_AUTH: 'forward' }, 'ORDER_UPSTREAM_AUTH'],
      [{ ...BASE, PAYMENT_MCP_URL: 'ftp://payments' }, 'PAYMENT_MCP_URL'],
      [{ ...BASE, SAGA_ATTEMPTS: '0' }, 'SAGA_ATTEMPTS'],
    ] as const) {
      const error = (() => {
        try {
          parseConfig(orderConfigSchema, env);
        } catch (thrown) {
          return thrown;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect(String((error as Error).message)).toContain(name);
    }
  });
});
