import { afterEach, describe, expect, it, vi } from 'vitest';
import { LogLevelMemory } from './log-level-memory.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('LogLevelMemory', () => {
  it('keeps a level per caller, so one caller never changes another one', () => {
    const memory = new LogLevelMemory();
    memory.set('alice', 'debug');
    memory.set('bob', 'error');
    expect([memory.get('alice'), memory.get('bob'), memory.get('carol')]).toEqual(['debug', 'error', undefined]);
  });

  it('forgets the least recently set caller past its bound, and a level past its time', () => {
    vi.useFakeTimers();
    const memory = new LogLevelMemory({ maxEntries: 2, ttlMs: 1000 });
    memory.set('a', 'info');
    memory.set('b', 'info');
    memory.set('a', 'notice');
    memory.set('c', 'info');
    expect([memory.get('a'), memory.get('b'), memory.get('c')]).toEqual(['notice', undefined, 'info']);
    vi.advanceTimersByTime(1001);
    expect(memory.get('a')).toBeUndefined();
  });
});
