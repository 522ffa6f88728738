import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACTED_FIELDS, canonicalJson, digest, redactArguments } from './redact-arguments.ts';

describe('redactArguments', () => {
  const redacted = new Set([...DEFAULT_REDACTED_FIELDS, 'sql']);

  it('replaces personal data and secrets at any depth and keeps the rest', () => {
    expect(
      redactArguments(
        { email: 'a@b.c', tier: 'gold', address: { line1: '1 Main St', city: 'Lyon', postal_code: '69001' }, notes: [{ body: 'x' }], sql: 'SELECT 1', phone: null },
        redacted,
      ),
    ).toEqual({ email: '[redacted]', tier: 'gold', address: { line1: '[redacted]', city: 'Lyon', postal_code: '[redacted]' }, notes: [{ body: '[redacted]' }], sql: '[redacted]', phone: null });
  });

  it('truncates long strings', () => {
    const out = redactArguments({ q: 'x'.repeat(2000) }, redacted) as { q: string };
    expect(out.q).toHaveLength(512 + '…[2000 chars]'.length);
    expect(out.q.endsWith('…[2000 chars]')).toBe(true);
  });
});

describe('canonicalJson and digest', () => {
  it('ignores key order and undefined members', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: undefined }] })).toBe('{"a":[1,{"d":2}],"b":1}');
    expect(digest({ a: 1, b: 2 })).toBe(digest({ b: 2, a: 1 }));
    expect(digest({ a: 1 })).not.toBe(digest({ a: 2 }));
    expect(digest({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });
});
