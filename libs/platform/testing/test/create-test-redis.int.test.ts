import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTestRedis } from '../src/create-test-redis.ts';

const outsider = new Redis(inject('redisUrl'));

afterAll(async () => {
  await outsider.quit();
});

describe('createTestRedis', () => {
  it('connects with a fresh prefix and cleanup deletes only the keys under it', async () => {
    const a = await createTestRedis({ label: 'testing' });
    const b = await createTestRedis({ label: 'testing' });
    expect(a.prefix).toMatch(/^test:testing:[0-9a-f]{12}:$/);
    expect(a.prefix).not.toBe(b.prefix);
    expect(a.url).toBe(inject('redisUrl'));

    const many = Array.from({ length: 1200 }, (_, i) => [`${a.prefix}k${i}`, String(i)]).flat();
    await a.client.mset(...many);
    await a.client.hset(`${a.prefix}hash`, 'f', 'v');
    await b.client.set(`${b.prefix}keep`, '1');

    await a.cleanup();
    await a.cleanup();
    expect(await outsider.exists(`${a.prefix}k0`, `${a.prefix}k1199`, `${a.prefix}hash`)).toBe(0);
    expect(await outsider.get(`${b.prefix}keep`)).toBe('1');
    expect(a.client.status).toBe('end');

    await b.cleanup();
    expect(await outsider.exists(`${b.prefix}keep`)).toBe(0);
  });
});
