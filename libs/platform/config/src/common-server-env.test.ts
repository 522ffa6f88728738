import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { commonServerEnv, resolvePublicUrl } from './common-server-env.ts';
import { parseConfig } from './parse-config.ts';

const schema = z.object(commonServerEnv(8082));

describe('commonServerEnv', () => {
  it('applies every default', () => {
    expect(parseConfig(schema, {})).toEqual({
      MCPFED_ENV: 'production',
      PORT: 8082,
      HOST: '127.0.0.1',
      REDIS_URL: 'redis://127.0.0.1:6379',
      LOG_LEVEL: 'info',
      AUTH_AUDIENCE: 'mcpfed',
      AUTH_CUSTOMER_CLAIM: 'customer_id',
      AUTH_SCOPE_CHALLENGE: 'tool',
      AUTH_DISABLED: false,
      ALLOWED_ORIGINS: [],
      ALLOWED_HOSTS: [],
      RATE_LIMIT_POINTS: 600,
      RATE_LIMIT_WINDOW_SECONDS: 60,
      SHUTDOWN_TIMEOUT_MS: 10_000,
      STDIO_PRINCIPAL: 'local-operator',
      STDIO_SCOPES: '',
      DB_POOL_MAX: 10,
    });
  });

  it('has exactly the documented keys', () => {
    expect(Object.keys(commonServerEnv(8080)).sort()).toEqual(
      [
        'MCPFED_ENV',
        'PORT',
        'HOST',
        'PUBLIC_URL',
        'REDIS_URL',
        'LOG_LEVEL',
        'AUTH_ISSUER',
        'AUTH_AUDIENCE',
        'AUTH_JWKS_URL',
        'AUTH_CUSTOMER_CLAIM',
        'AUTH_TOKEN_URL',
        'AUTH_SCOPE_CHALLENGE',
        'AUTH_DISABLED',
        'ALLOWED_ORIGINS',
        'ALLOWED_HOSTS',
        'OTEL_EXPORTER_OTLP_ENDPOINT',
        'RATE_LIMIT_POINTS',
        'RATE_LIMIT_WINDOW_SECONDS',
        'SHUTDOWN_TIMEOUT_MS',
        'STDIO_PRINCIPAL',
        'STDIO_SCOPES',
        'STDIO_CUSTOMER_ID',
        'DB_POOL_MAX',
      ].sort(),
    );
  });

  it('parses given values', () => {
    const config = parseConfig(schema, {
      PORT: '9090',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://order.example.com/',
      REDIS_URL: 'rediss://cache:6380',
      LOG_LEVEL: 'warn',
      AUTH_ISSUER: 'https://auth.example.com',
      AUTH_JWKS_URL: 'https://auth.example.com/jwks',
      AUTH_DISABLED: 'yes',
      ALLOWED_ORIGINS: 'https://app.example.com, https://admin.example.com',
      ALLOWED_HOSTS: 'order.example.com',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318',
      RATE_LIMIT_POINTS: '100',
      SHUTDOWN_TIMEOUT_MS: '2500',
      STDIO_SCOPES: 'order:read order:write',
      STDIO_CUSTOMER_ID: ' cus_01j9jx2rc3re7ejd42xbz421kr ',
      AUTH_CUSTOMER_CLAIM: 'https://shop.example/customer',
      DB_POOL_MAX: '4',
    });
    expect(config).toMatchObject({
      PORT: 9090,
      PUBLIC_URL: 'https://order.example.com/',
      AUTH_DISABLED: true,
      ALLOWED_ORIGINS: ['https://app.example.com', 'https://admin.example.com'],
      ALLOWED_HOSTS: ['order.example.com'],
      RATE_LIMIT_POINTS: 100,
      SHUTDOWN_TIMEOUT_MS: 2500,
      STDIO_SCOPES: 'order:read order:write',
      STDIO_CUSTOMER_ID: 'cus_01j9jx2rc3re7ejd42xbz421kr',
      AUTH_CUSTOMER_CLAIM: 'https://shop.example/customer',
      DB_POOL_MAX: 4,
    });
    expectTypeOf(config.PORT).toEqualTypeOf<number>();
    expectTypeOf(config.AUTH_ISSUER).toEqualTypeOf<string | undefined>();
    expectTypeOf(config.ALLOWED_ORIGINS).toEqualTypeOf<string[]>();
    expectTypeOf(config.AUTH_DISABLED).toEqualTypeOf<boolean>();
  });

  it('rejects a customer id with spaces and a claim name that is not one', () => {
    expect(() => parseConfig(schema, { STDIO_CUSTOMER_ID: 'cus a', AUTH_CUSTOMER_CLAIM: 'customer id' })).toThrow(/AUTH_CUSTOMER_CLAIM: .*STDIO_CUSTOMER_ID: /);
  });

  it('rejects a non-http AUTH_ISSUER and a bad AUTH_DISABLED', () => {
    expect(() => parseConfig(schema, { AUTH_ISSUER: 'ldap://x', AUTH_DISABLED: 'maybe' })).toThrow(
      'invalid configuration: AUTH_ISSUER: expected a URL starting with http:// or https:// (got "ldap://x"); ' +
        'AUTH_DISABLED: expected true/false, 1/0 or yes/no (got "maybe")',
    );
  });

  it('names a bad AUTH_JWKS_URL or AUTH_TOKEN_URL in one line', () => {
    expect(() => parseConfig(schema, { AUTH_JWKS_URL: 'keys.json', AUTH_TOKEN_URL: 'ftp://idp/token' })).toThrow(
      'invalid configuration: AUTH_JWKS_URL: expected a URL starting with http:// or https:// (got "keys.json"); ' +
        // A setting named like a secret is never echoed.
        'AUTH_TOKEN_URL: expected a URL starting with http:// or https://',
    );
  });
});

describe('resolvePublicUrl', () => {
  it('prefers PUBLIC_URL and otherwise derives http://HOST:PORT', () => {
    expect(resolvePublicUrl({ PUBLIC_URL: 'https://x.example/', HOST: '0.0.0.0', PORT: 1 })).toBe('https://x.example');
    expect(resolvePublicUrl({ HOST: '127.0.0.1', PORT: 8081 })).toBe('http://127.0.0.1:8081');
    expect(resolvePublicUrl({ HOST: '0.0.0.0', PORT: 8081 })).toBe('http://localhost:8081');
    expect(resolvePublicUrl({ HOST: '::1', PORT: 8081 })).toBe('http://[::1]:8081');
  });
});
