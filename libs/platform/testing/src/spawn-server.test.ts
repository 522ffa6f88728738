import { describe, expect, it } from 'vitest';
import { freePort } from './spawn-server.ts';

describe('freePort', () => {
  it('never gives the same port twice in one process, even to calls made before any server listens', async () => {
    // 300 draws from 12000 ports repeat one with a probability of about 97% unless handed-out ports are skipped.
    const ports = await Promise.all(Array.from({ length: 300 }, () => freePort()));
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(32_000);
    }
    const later = await freePort();
    expect(ports).not.toContain(later);
  });
});
