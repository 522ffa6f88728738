import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACTED_FIELDS, canonicalJson, digest, keyedDigest, redactArguments } from './redact-arguments.ts';

describe('redactArguments', () => {
  const redacted = new Set([...DEFAULT_REDACTED_FIELDS, 'sql']);

  it('replaces personal data and secrets at any depth and keeps the rest', () => {
    expect(
      redactArguments(
        {
          email: 'a@b.c',
          tier: 'gold',
          address: { line1: '1 Main St', city: 'Lyon', postal_code: '69001' },
          notes: [{ body: 'x' }],
          sql: 'SELECT 1',
          phone: null,
        },
        redacted,
      ),
    ).toEqual({
      email: '[redacted]',
      tier: 'gold',
      address: { line1: '[redacted]', city: 'Lyon', postal_code: '[redacted]' },
      notes: [{ body: '[redacted]' }],
      sql: '[redacted]',
      phone: null,
    });
  });

  it('stores what PostgreSQL accepts: NUL and lone surrogates replaced, in values and keys', () => {
    const out = redactArguments({ ['k\u0000']: 'a\u0000b', s: 'x\uD800y', __proto__: { polluted: true } }, redacted);
    expect(JSON.stringify(out)).toBe(JSON.stringify({ 'k\uFFFD': 'a\uFFFDb', s: 'x\uFFFDy' }));
  });

  it('keeps a __proto__ argument as data and pollutes nothing', () => {
    const args = JSON.parse('{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}') as unknown;
    const out = redactArguments(args, redacted) as Record<string, unknown>;
    expect(JSON.parse(JSON.stringify(out))).toEqual(JSON.parse('{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}'));
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });

  it('bounds depth, members and size, iteratively (10,000 levels)', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    expect(JSON.stringify(redactArguments({ deep }, redacted))).toBe('{"deep":{"d":{"d":{"d":{"d":{"d":{"d":{"d":"[too deep]"}}}}}}}}');
    const many = redactArguments({ list: Array.from({ length: 150 }, (_, i) => i) }, redacted) as { list: unknown[] };
    expect(many.list).toHaveLength(101);
    expect(many.list[100]).toBe('[50 more]');
    const huge = JSON.stringify(redactArguments({ a: Array.from({ length: 90 }, () => 'y'.repeat(1_000_000)) }, redacted));
    expect(huge.length).toBeLessThan(20_000);
    expect(huge).toContain('[truncated]');
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

  it('renders exactly what the recursive rendering did (stored idempotency hashes stay valid)', () => {
    const recursive = (value: unknown): string => {
      if (Array.isArray(value)) return `[${value.map(recursive).join(',')}]`;
      if (value !== null && typeof value === 'object') {
        const keys = Object.keys(value)
          .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
          .sort();
        return `{${keys.map((k) => `${JSON.stringify(k)}:${recursive((value as Record<string, unknown>)[k])}`).join(',')}}`;
      }
      return JSON.stringify(value) ?? 'null';
    };
    const samples: unknown[] = [
      {},
      [],
      { z: [1, 'two', null, true, { y: [], x: {} }], a: 'é"\\\n', m: -0.5, u: undefined, arr: [undefined, 1] },
      [[[]], [{}], 'x'],
      'text',
      42,
      null,
    ];
    for (const sample of samples) expect(canonicalJson(sample)).toBe(recursive(sample));
    let deep: unknown = 1;
    for (let i = 0; i < 50_000; i++) deep = [deep];
    expect(canonicalJson(deep)).toHaveLength(100_001);
  });

  it('keys the audit digest', () => {
    const key = 'k'.repeat(32);
    expect(keyedDigest({ email: 'a@b.c' }, key)).toMatch(/^[0-9a-f]{64}$/);
    expect(keyedDigest({ email: 'a@b.c' }, key)).toBe(keyedDigest({ email: 'a@b.c' }, key));
    expect(keyedDigest({ email: 'a@b.c' }, key)).not.toBe(digest({ email: 'a@b.c' }));
    expect(keyedDigest({ email: 'a@b.c' }, key)).not.toBe(keyedDigest({ email: 'a@b.c' }, 'j'.repeat(32)));
  });
});
