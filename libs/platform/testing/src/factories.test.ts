import { describe, expect, it } from 'vitest';
import { idempotencyKey, randomKeyPrefix, uniqueId } from './factories.ts';

describe('factories', () => {
  it('uniqueId: prefix, underscore, 16 hex digits, never twice the same', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => uniqueId('cus')));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^cus_[0-9a-f]{16}$/);
  });

  it('idempotencyKey: fits the contract (8-200 characters) and is unique', () => {
    const a = idempotencyKey();
    expect(a).toMatch(/^idem-[0-9a-f-]{36}$/);
    expect(a).not.toBe(idempotencyKey());
  });

  it('randomKeyPrefix: test:<label>:<random>:', () => {
    const prefix = randomKeyPrefix('rate-limit');
    expect(prefix).toMatch(/^test:rate-limit:[0-9a-f]{12}:$/);
    expect(prefix).not.toBe(randomKeyPrefix('rate-limit'));
    expect(() => randomKeyPrefix('a*b')).toThrow(TypeError);
  });
});
