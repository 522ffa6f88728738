import { describe, expect, it } from 'vitest';
import { createOriginGuard } from './origin-guard.ts';

const LOCAL_HOSTS = ['localhost', '127.0.0.1', '[::1]'];
const FOREIGN_ORIGIN = { ok: false, status: 403, reason: 'origin not allowed' };
const FOREIGN_HOST = { ok: false, status: 403, reason: 'host not allowed' };
const MISSING_HOST = { ok: false, status: 400, reason: 'host header missing' };
const INVALID_HOST = { ok: false, status: 400, reason: 'host header invalid' };

describe('createOriginGuard with no allowed origins (loopback only)', () => {
  const guard = createOriginGuard({ allowedOrigins: [], allowedHosts: LOCAL_HOSTS });

  it.each([
    ['no origin (non-browser client)', { host: '127.0.0.1:8081' }],
    ['loopback http origin', { origin: 'http://localhost:5173', host: 'localhost:8081' }],
    ['loopback https origin without port', { origin: 'https://127.0.0.1', host: '127.0.0.1:8081' }],
    ['IPv6 loopback origin', { origin: 'http://[::1]:3000', host: '[::1]:8081' }],
    ['host without port', { host: 'localhost' }],
    ['host in upper case', { host: 'LOCALHOST:8081' }],
  ])('allows %s', (_name, headers) => {
    expect(guard(headers)).toEqual({ ok: true });
  });

  it.each([
    ['foreign origin', { origin: 'https://evil.example', host: '127.0.0.1:8081' }, FOREIGN_ORIGIN],
    ['rebinding name posing as loopback', { origin: 'http://localhost.evil.example', host: 'localhost:8081' }, FOREIGN_ORIGIN],
    ['null origin', { origin: 'null', host: 'localhost:8081' }, FOREIGN_ORIGIN],
    ['two origins joined', { origin: 'http://localhost:1, https://evil.example', host: 'localhost' }, FOREIGN_ORIGIN],
    ['foreign origin wins over bad host', { origin: 'https://evil.example' }, FOREIGN_ORIGIN],
    ['rebound host name', { host: 'evil.example:8081' }, FOREIGN_HOST],
    ['rebound host with loopback origin', { origin: 'http://localhost:8081', host: 'attacker.test' }, FOREIGN_HOST],
    ['missing host', {}, MISSING_HOST],
    ['empty host', { host: '' }, MISSING_HOST],
    ['host with a path', { host: 'localhost/x' }, INVALID_HOST],
    ['host with user info', { host: 'a@localhost' }, INVALID_HOST],
    ['host with a bad port', { host: 'localhost:80a' }, INVALID_HOST],
  ])('refuses %s', (_name, headers, expected) => {
    expect(guard(headers)).toEqual(expected);
  });
});

describe('createOriginGuard with configured origins', () => {
  const guard = createOriginGuard({
    allowedOrigins: ['https://App.Example.com:443/', 'http://localhost:5173'],
    allowedHosts: ['mcp.example.com:443', '127.0.0.1', '::1'],
  });

  it('allows exactly the configured origins (normalised like a browser sends them)', () => {
    expect(guard({ origin: 'https://app.example.com', host: 'mcp.example.com' })).toEqual({ ok: true });
    expect(guard({ origin: 'http://localhost:5173', host: '127.0.0.1:8081' })).toEqual({ ok: true });
    expect(guard({ host: '[::1]:8081' })).toEqual({ ok: true });
  });

  it('refuses other schemes, ports and loopback origins not listed', () => {
    expect(guard({ origin: 'http://app.example.com', host: 'mcp.example.com' })).toEqual(FOREIGN_ORIGIN);
    expect(guard({ origin: 'https://app.example.com:8443', host: 'mcp.example.com' })).toEqual(FOREIGN_ORIGIN);
    expect(guard({ origin: 'http://localhost:3000', host: 'mcp.example.com' })).toEqual(FOREIGN_ORIGIN);
    expect(guard({ host: 'localhost:8081' })).toEqual(FOREIGN_HOST);
  });

  it('refuses unusable configuration', () => {
    expect(() => createOriginGuard({ allowedOrigins: [], allowedHosts: [] })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => createOriginGuard({ allowedOrigins: ['https://a.example/path'], allowedHosts: ['a'] })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => createOriginGuard({ allowedOrigins: ['a.example'], allowedHosts: ['a'] })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => createOriginGuard({ allowedOrigins: [], allowedHosts: ['a b'] })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
