import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commonServerEnv } from './common-server-env.ts';
import { ConfigError } from './config-error.ts';
import { url } from './env-values.ts';
import { parseConfig } from './parse-config.ts';

const customerSchema = z.object({
  ...commonServerEnv(8081),
  DATABASE_URL: url({ protocols: ['postgres', 'postgresql'] }),
});

function messageOf(schema: z.ZodType, env: Record<string, string | undefined>): string {
  try {
    parseConfig(schema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('names a missing required setting', () => {
    expect(messageOf(customerSchema, {})).toBe('invalid configuration: DATABASE_URL: required');
  });

  it('names every bad setting on one line, in schema order', () => {
    const error = (() => {
      try {
        parseConfig(customerSchema, { PORT: 'abc' });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error.message).toBe('invalid configuration: PORT: expected an integer between 1 and 65535 (got "abc"); DATABASE_URL: required');
    expect(error.issues).toEqual([
      { setting: 'PORT', message: 'expected an integer between 1 and 65535 (got "abc")' },
      { setting: 'DATABASE_URL', message: 'required' },
    ]);
    expect(error.name).toBe('ConfigError');
  });

  it('rejects a URL with the wrong scheme', () => {
    expect(messageOf(customerSchema, { DATABASE_URL: 'postgres://db/x', REDIS_URL: 'ftp://x' })).toBe(
      'invalid configuration: REDIS_URL: expected a URL starting with redis:// or rediss:// (got "ftp://x")',
    );
    expect(messageOf(customerSchema, { DATABASE_URL: 'not a url', PORT: '70000' })).toBe(
      'invalid configuration: PORT: expected an integer between 1 and 65535 (got "70000"); ' +
        'DATABASE_URL: expected a URL starting with postgres:// or postgresql:// (got "not a url")',
    );
  });

  it('never echoes values of secret-looking settings', () => {
    const schema = z.object({
      API_TOKEN: z.string().min(32),
      DB_PASSWORD: z.string().min(12),
      JWT_SECRET: z.string().min(32),
      signing_key: z.string().min(32),
    });
    const message = messageOf(schema, { API_TOKEN: 'tok-123', DB_PASSWORD: 'hunter2', JWT_SECRET: 's3cr3t', signing_key: 'k-9' });
    expect(message).toBe(
      'invalid configuration: API_TOKEN: Too small: expected string to have >=32 characters; ' +
        'DB_PASSWORD: Too small: expected string to have >=12 characters; ' +
        'JWT_SECRET: Too small: expected string to have >=32 characters; ' +
        'signing_key: Too small: expected string to have >=32 characters',
    );
    for (const secret of ['tok-123', 'hunter2', 's3cr3t', 'k-9']) expect(message).not.toContain(secret);
  });

  it('masks credentials inside echoed URLs', () => {
    const message = messageOf(customerSchema, { DATABASE_URL: 'mysql://admin:hunter2@db.internal:3306/shop' });
    expect(message).toBe(
      'invalid configuration: DATABASE_URL: expected a URL starting with postgres:// or postgresql:// ' + '(got "mysql://***@db.internal:3306/shop")',
    );
    expect(messageOf(customerSchema, { DATABASE_URL: 'postgres://db/x', REDIS_URL: 'redis//:pw@cache:6379' })).toBe(
      'invalid configuration: REDIS_URL: expected a URL starting with redis:// or rediss:// (got "redis//***@cache:6379")',
    );
    expect(messageOf(customerSchema, { DATABASE_URL: 'pg://u:p/ss@db/x' })).toContain('(got "pg://***@db/x")');
  });

  it('keeps the message on one line whatever the value holds', () => {
    const message = messageOf(customerSchema, { DATABASE_URL: 'postgres://db/x', LOG_LEVEL: 'loud\nERROR injected' });
    expect(message).toBe('invalid configuration: LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent (got "loud\\nERROR injected")');
    expect(message).not.toContain('\n');
  });

  it('treats empty values as unset', () => {
    expect(messageOf(customerSchema, { DATABASE_URL: '  ' })).toBe('invalid configuration: DATABASE_URL: required');
    expect(parseConfig(customerSchema, { DATABASE_URL: 'postgres://db/x', PORT: '' }).PORT).toBe(8081);
  });

  it('reports a cross-setting rule without a setting name', () => {
    const schema = z
      .object({ A: z.string().optional(), B: z.string().optional() })
      .refine((c) => c.A !== undefined || c.B !== undefined, { message: 'set A or B' });
    expect(messageOf(schema, {})).toBe('invalid configuration: set A or B');
  });
});
