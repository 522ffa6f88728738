import { describe, expect, it } from 'vitest';
import { parseTokenArgs } from './token-args.ts';

describe('parseTokenArgs', () => {
  it('reads scopes separated by spaces or commas and applies the defaults', () => {
    expect(parseTokenArgs(['--scopes', 'customer:read customer:write,sql:read'])).toEqual({
      kind: 'request',
      request: { scopes: ['customer:read', 'customer:write', 'sql:read'], subject: 'dev-user', ttlSeconds: 3600, audience: 'mcpfed' },
    });
  });

  it('takes subject, ttl and audience', () => {
    expect(parseTokenArgs(['--scopes=admin', '--subject', 'alice', '--ttl', '60', '--audience', 'http://127.0.0.1:8081'])).toEqual({
      kind: 'request',
      request: { scopes: ['admin'], subject: 'alice', ttlSeconds: 60, audience: 'http://127.0.0.1:8081' },
    });
  });

  it('binds the token to a customer with --customer', () => {
    expect(parseTokenArgs(['--scopes', 'order:write', '--customer', 'cus_0001'])).toEqual({
      kind: 'request',
      request: { scopes: ['order:write'], subject: 'dev-user', ttlSeconds: 3600, audience: 'mcpfed', customerId: 'cus_0001' },
    });
  });

  it.each([
    [['--scopes', 'admin', '--customer', 'a b'], '--customer must be a customer id'],
    [['--scopes', 'admin', '--customer', ''], '--customer must be a customer id'],
    [['--scopes', 'customer:read customer:nope'], 'unknown scope: customer:nope'],
    [[], '--scopes is required'],
    [['--scopes', ' , '], '--scopes needs at least one scope'],
    [['--scopes', 'admin', '--ttl', '0'], '--ttl must be a positive whole number of seconds, got "0"'],
    [['--scopes', 'admin', '--ttl', '1.5'], '--ttl must be a positive whole number of seconds, got "1.5"'],
    [['--scopes', 'admin', '--subject', ''], '--subject must not be empty'],
  ])('refuses %j', (argv, message) => {
    const result = parseTokenArgs(argv);
    expect(result.kind).toBe('error');
    expect(result.kind === 'error' ? result.message : '').toContain(message);
  });

  it('refuses unknown options and positionals', () => {
    expect(parseTokenArgs(['--scopes', 'admin', '--scope', 'x']).kind).toBe('error');
    expect(parseTokenArgs(['admin']).kind).toBe('error');
  });

  it('recognises --help', () => {
    expect(parseTokenArgs(['--help'])).toEqual({ kind: 'help' });
  });
});
