import { describe, expect, it } from 'vitest';
import { SignedCookie, readCookies } from './signed-cookie.ts';

describe('SignedCookie', () => {
  const cookies = new SignedCookie('test-only-approval-client-secret');

  it('opens what it sealed, until its expiry', () => {
    const sealed = cookies.seal({ sub: 'alice', exp: Date.now() + 60_000 });
    expect(cookies.open(sealed)).toMatchObject({ sub: 'alice' });
    expect(cookies.open(cookies.seal({ sub: 'alice', exp: Date.now() - 1 }))).toBeUndefined();
  });

  it('refuses a forged payload, a cookie sealed under another secret and malformed values', () => {
    const sealed = cookies.seal({ sub: 'alice', exp: Date.now() + 60_000 });
    const [, mac] = sealed.split('.');
    const forged = `${Buffer.from(JSON.stringify({ sub: 'mallory', exp: Date.now() + 60_000 })).toString('base64url')}.${mac}`;
    expect(cookies.open(forged)).toBeUndefined();
    expect(new SignedCookie('another-approval-client-secret').open(sealed)).toBeUndefined();
    for (const bad of [undefined, '', 'x', 'a.b.c', `${sealed}.x`]) expect(cookies.open(bad)).toBeUndefined();
  });

  it('verifies a CSRF MAC only for the data it was made for', () => {
    const csrf = cookies.mac('sid-1:apr_1');
    expect(cookies.verify('sid-1:apr_1', csrf)).toBe(true);
    expect(cookies.verify('sid-2:apr_1', csrf)).toBe(false);
    expect(cookies.verify('sid-1:apr_2', csrf)).toBe(false);
    expect(cookies.verify('sid-1:apr_1', '')).toBe(false);
  });

  it('reads cookies by name, the first one winning', () => {
    expect([...readCookies('a=1; b=2;a=3; broken; =x')]).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(readCookies(undefined).size).toBe(0);
  });
});
