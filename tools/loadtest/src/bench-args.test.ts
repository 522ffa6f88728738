import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from './bench-args.ts';

describe('parseBenchArgs', () => {
  it('defaults to 32 connections, 3 s warm-up, 10 s, one run, 10 000 customers, every scenario', () => {
    expect(parseBenchArgs([])).toEqual({
      kind: 'options',
      options: { durationSeconds: 10, warmupSeconds: 3, connections: 32, runs: 1, seedCount: 10_000, productCount: 200_000, scenarios: undefined },
    });
  });

  it('reads every flag', () => {
    expect(
      parseBenchArgs([
        '--duration',
        '5',
        '--warmup=0',
        '--connections',
        '8',
        '--runs',
        '3',
        '--seed-count',
        '100',
        '--product-count',
        '1000000',
        '--scenarios',
        'customer_get',
      ]),
    ).toEqual({
      kind: 'options',
      options: { durationSeconds: 5, warmupSeconds: 0, connections: 8, runs: 3, seedCount: 100, productCount: 1_000_000, scenarios: ['customer_get'] },
    });
  });

  it.each([
    [['--runs', '0'], '--runs must be a whole number >= 1, got "0"'],
    [['--duration', '2.5'], '--duration must be a whole number >= 1, got "2.5"'],
    [['--connections', 'many'], '--connections must be a whole number >= 1, got "many"'],
    [['--scenarios', ','], '--scenarios needs at least one name'],
  ])('refuses %j', (argv, message) => {
    expect(parseBenchArgs(argv)).toEqual({ kind: 'error', message });
  });

  it('refuses unknown flags', () => {
    expect(parseBenchArgs(['--conections', '8']).kind).toBe('error');
  });
});
