import { describe, expect, it } from 'vitest';
import { startAuthProxy } from './auth-proxy.ts';

describe('startAuthProxy', () => {
  it('refuses a target it would send the token to unencrypted', async () => {
    await expect(startAuthProxy('https://mcp.example.com', 'secret')).rejects.toThrow(
      'the conformance auth proxy forwards only to http:// targets (it speaks plain HTTP and would send the token unencrypted), not https:// (https://mcp.example.com)',
    );
    await expect(startAuthProxy('ftp://127.0.0.1:21', 'secret')).rejects.toThrow(/forwards only to http:\/\/ targets .* not ftp:\/\//);
  });
});
