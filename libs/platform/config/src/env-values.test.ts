import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { bool, csv, durationMs, logLevel, port, positiveInt, redisKeyPrefix, url } from './env-values.ts';
import type { LogLevel } from './env-values.ts';

function issueOf(schema: z.ZodType, value: string | undefined): string | undefined {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error.issues.map((i) => i.message).join(', ');
}

describe('environment values', () => {
  it('port: integer 1–65535 with a default', () => {
    const schema = port(8080);
    expect(schema.parse(undefined)).toBe(8080);
    expect(schema.parse(' 9000 ')).toBe(9000);
    expect(schema.parse('65535')).toBe(65535);
    for (const bad of ['0', '65536', '80.5', '-1', 'abc', '1e3']) expect(issueOf(schema, bad), bad).toBe('expected an integer between 1 and 65535');
    expect(() => port(0)).toThrow(RangeError);
  });

  it("redisKeyPrefix: a prefix with at most one hash tag, so a queue's keys share a Redis Cluster slot", () => {
    const schema = redisKeyPrefix('{mcpfed:order}');
    expect(schema.parse(undefined)).toBe('{mcpfed:order}');
    for (const good of ['{mcpfed:order}', 'eu:{mcpfed:order}', '{tenant-1}:orders', 'mcpfed:order', 'a']) expect(schema.parse(good), good).toBe(good);
    const expected = 'expected a Redis key prefix of letters, digits, ":", "_", ".", "-" and at most one {hash tag}, 1-100 characters';
    for (const bad of ['', '{}', '{a}{b}', '{a', 'a}', 'has space', 'x'.repeat(101), '{a{b}}']) expect(issueOf(schema, bad), bad).toBe(expected);
    expect(() => redisKeyPrefix('{}')).toThrow(RangeError);
  });

  it('url: accepts only the given schemes', () => {
    const redis = url({ protocols: ['redis', 'rediss'] });
    expect(redis.parse('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redis.parse('rediss://:pw@cache.example:6380/2')).toBe('rediss://:pw@cache.example:6380/2');
    expect(issueOf(redis, 'http://cache')).toBe('expected a URL starting with redis:// or rediss://');
    expect(issueOf(redis, 'redis:cache')).toBe('expected a URL starting with redis:// or rediss://');
    expect(issueOf(redis, undefined)).toBe('Invalid input: expected string, received undefined');
    const http = url({ protocols: ['http', 'https'] });
    expect(http.parse('https://issuer.example/realms/x')).toBe('https://issuer.example/realms/x');
    expect(issueOf(http, 'https://')).toBe('expected a URL starting with http:// or https://');
    expect(url({ protocols: ['postgres'] }).parse('postgres://u@127.0.0.1:5432/db')).toBe('postgres://u@127.0.0.1:5432/db');
    expect(() => url({ protocols: [] })).toThrow(RangeError);
  });

  it('logLevel: pino levels, default info', () => {
    expect(logLevel.parse(undefined)).toBe('info');
    expect(logLevel.parse('DEBUG')).toBe('debug');
    expect(issueOf(logLevel, 'verbose')).toBe('expected one of fatal, error, warn, info, debug, trace, silent');
    expectTypeOf(logLevel.parse('warn')).toEqualTypeOf<LogLevel>();
  });

  it('bool: true/false, 1/0, yes/no', () => {
    for (const yes of ['true', 'TRUE', '1', 'yes', 'Yes']) expect(bool.parse(yes), yes).toBe(true);
    for (const no of ['false', 'False', '0', 'no', 'NO']) expect(bool.parse(no), no).toBe(false);
    for (const bad of ['on', 'off', '2', 'y']) expect(issueOf(bool, bad), bad).toBe('expected true/false, 1/0 or yes/no');
    expect(bool.default(false).parse(undefined)).toBe(false);
  });

  it('durationMs and positiveInt: integers with defaults', () => {
    expect(durationMs(5000).parse(undefined)).toBe(5000);
    expect(durationMs(5000).parse('0')).toBe(0);
    expect(issueOf(durationMs(5000), '5s')).toBe('expected a duration in milliseconds (an integer >= 0)');
    expect(positiveInt(10).parse(undefined)).toBe(10);
    expect(positiveInt(10).parse('25')).toBe(25);
    expect(issueOf(positiveInt(10), '0')).toBe('expected a positive integer');
    expect(issueOf(positiveInt(10), '2.5')).toBe('expected a positive integer');
    expect(() => positiveInt(0)).toThrow(RangeError);
  });

  it('csv: comma-separated list to string[]', () => {
    expect(csv.parse('https://a.example, https://b.example,,  c ')).toEqual(['https://a.example', 'https://b.example', 'c']);
    expect(csv.parse('single')).toEqual(['single']);
    const optional = csv.default(() => []);
    const first = optional.parse(undefined);
    expect(first).toEqual([]);
    first.push('mutated');
    expect(optional.parse(undefined)).toEqual([]);
  });
});
