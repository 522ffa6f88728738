import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { commonServerEnv } from './common-server-env.ts';
import { domainServerEnv } from './domain-server-env.ts';
import { ConfigError } from './config-error.ts';
import { secret, url } from './env-values.ts';
import { parseConfig } from './parse-config.ts';
import { requireSecretsOutsideDevelopment } from './require-secrets-outside-development.ts';

const DEV_KEY = 'development-only-key-0123456789abcdef';
const schema = requireSecretsOutsideDevelopment(
  z.object({
    ...commonServerEnv(8084),
    ...domainServerEnv(),
    DATABASE_URL: url({ protocols: ['postgres'] }),
    SQL_READER_PASSWORD: secret(),
  }),
  { AUDIT_DIGEST_KEY: DEV_KEY, SQL_READER_PASSWORD: null },
);

function messageOf(env: Record<string, string>): string {
  try {
    parseConfig(schema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

const REQUIRED = 'required outside development (MCPFED_ENV=production): set it from the secret store, or set MCPFED_ENV=development for a local run';

describe('requireSecretsOutsideDevelopment', () => {
  it('stops a production config (the default) that misses a secret, naming each one on one line', () => {
    expect(messageOf({ DATABASE_URL: 'postgres://db/x' })).toBe(`invalid configuration: AUDIT_DIGEST_KEY: ${REQUIRED}; SQL_READER_PASSWORD: ${REQUIRED}`);
    expect(messageOf({ MCPFED_ENV: 'production', DATABASE_URL: 'postgres://db/x', SQL_READER_PASSWORD: 'pw' })).toBe(
      `invalid configuration: AUDIT_DIGEST_KEY: ${REQUIRED}`,
    );
  });

  it('names a missing secret together with other bad settings', () => {
    expect(messageOf({ PORT: 'x', SQL_READER_PASSWORD: 'pw' })).toBe(
      `invalid configuration: PORT: expected an integer between 1 and 65535 (got "x"); DATABASE_URL: required; AUDIT_DIGEST_KEY: ${REQUIRED}`,
    );
  });

  it('refuses a short secret without echoing it', () => {
    expect(messageOf({ DATABASE_URL: 'postgres://db/x', SQL_READER_PASSWORD: 'pw', AUDIT_DIGEST_KEY: 'short-secret' })).toBe(
      'invalid configuration: AUDIT_DIGEST_KEY: expected at least 32 characters',
    );
  });

  it('takes the given secrets in production', () => {
    const key = 'k'.repeat(40);
    const config = parseConfig(schema, { DATABASE_URL: 'postgres://db/x', SQL_READER_PASSWORD: 'pw', AUDIT_DIGEST_KEY: key });
    expect(config).toMatchObject({ MCPFED_ENV: 'production', AUDIT_DIGEST_KEY: key, SQL_READER_PASSWORD: 'pw', AUDIT_RETENTION_DAYS: 365 });
    expectTypeOf(config.AUDIT_DIGEST_KEY).toEqualTypeOf<string>();
    expectTypeOf(config.SQL_READER_PASSWORD).toEqualTypeOf<string | undefined>();
  });

  it('fills the development values in development, and keeps what is set', () => {
    const development = parseConfig(schema, { MCPFED_ENV: 'Development', DATABASE_URL: 'postgres://db/x' });
    expect(development).toMatchObject({ MCPFED_ENV: 'development', AUDIT_DIGEST_KEY: DEV_KEY });
    expect(development.SQL_READER_PASSWORD).toBeUndefined();
    const key = 'k'.repeat(40);
    expect(parseConfig(schema, { MCPFED_ENV: 'development', DATABASE_URL: 'postgres://db/x', AUDIT_DIGEST_KEY: key })).toMatchObject({ AUDIT_DIGEST_KEY: key });
  });

  it('refuses an unknown MCPFED_ENV', () => {
    expect(messageOf({ MCPFED_ENV: 'staging', DATABASE_URL: 'postgres://db/x', SQL_READER_PASSWORD: 'pw', AUDIT_DIGEST_KEY: 'k'.repeat(40) })).toBe(
      'invalid configuration: MCPFED_ENV: expected one of development, production (got "staging")',
    );
  });
});
