import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTokenSealer } from './token-sealer.ts';

describe('createTokenSealer', () => {
  const key = randomBytes(32);
  const sealer = createTokenSealer(key);

  it('opens what it sealed for the same row, and the sealed text does not contain the token', () => {
    const sealed = sealer.seal('eyJhbGciOiJFUzI1NiJ9.payload.signature', 'ord_1');
    expect(sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]+$/);
    expect(sealed).not.toContain('payload');
    expect(sealer.open(sealed, 'ord_1')).toBe('eyJhbGciOiJFUzI1NiJ9.payload.signature');
    // A fresh IV each time: the same token never seals to the same text.
    expect(sealer.seal('t', 'ord_1')).not.toBe(sealer.seal('t', 'ord_1'));
  });

  it('refuses another row, another key, a tampered or malformed value', () => {
    const sealed = sealer.seal('token', 'ord_1');
    expect(sealer.open(sealed, 'ord_2')).toBeUndefined();
    expect(createTokenSealer(randomBytes(32)).open(sealed, 'ord_1')).toBeUndefined();
    const [v, iv, body] = sealed.split('.') as [string, string, string];
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(sealer.open(`${v}.${iv}.${flipped.toString('base64url')}`, 'ord_1')).toBeUndefined();
    for (const bad of ['', 'v1', 'v2.a.b', `${v}.${iv}`, `${sealed}.x`, `${v}.AAAA.${body}`]) expect(sealer.open(bad, 'ord_1')).toBeUndefined();
  });

  it('needs a 32-byte key', () => {
    expect(() => createTokenSealer(randomBytes(16))).toThrow('32 bytes');
  });
});
