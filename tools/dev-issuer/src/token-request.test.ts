import { describe, expect, it } from 'vitest';
import { parseTokenRequest } from './token-request.ts';

describe('parseTokenRequest', () => {
  it('applies the defaults and splits scopes on spaces and commas', () => {
    expect(parseTokenRequest(['--scopes', 'customer:read, order:read'])).toEqual({
      scopes: ['customer:read', 'order:read'],
      subject: 'dev-user',
      ttlSeconds: 3600,
    });
    expect(parseTokenRequest(['--scopes', 'admin', '--audience', 'http://localhost:8081/mcp'])).toMatchObject({ audience: 'http://localhost:8081/mcp' });
  });

  it('refuses missing or unknown scopes, a bad ttl and unknown flags', () => {
    expect(parseTokenRequest([])).toEqual({ error: '--scopes is required' });
    expect(parseTokenRequest(['--scopes', 'customer:read root'])).toMatchObject({ error: expect.stringMatching(/^unknown scope root;/) });
    expect(parseTokenRequest(['--scopes', 'admin', '--ttl', '0'])).toEqual({ error: '--ttl must be a whole number of seconds >= 1, got 0' });
    expect(parseTokenRequest(['--scopes', 'admin', '--root'])).toHaveProperty('error');
  });
});
