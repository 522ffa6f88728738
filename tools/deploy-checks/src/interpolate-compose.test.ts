import { describe, expect, it } from 'vitest';
import { interpolateCompose, parseEnvFile } from './interpolate-compose.ts';

describe('interpolateCompose', () => {
  const variables = { A: 'x', EMPTY: '' };

  it('substitutes values, defaults and escapes as compose does', () => {
    expect(interpolateCompose('${A}-$A-${B:-d}-${EMPTY:-e}-${EMPTY-f}-$$A', variables)).toBe('x-x-d-e--$A');
  });

  it('fails on a missing required variable with its message', () => {
    expect(() => interpolateCompose('${B:?set B in .env}', variables)).toThrow('B: set B in .env');
    expect(() => interpolateCompose('${EMPTY:?no}', variables)).toThrow('EMPTY: no');
  });
});

describe('parseEnvFile', () => {
  it('reads KEY=value lines and skips comments', () => {
    expect(parseEnvFile('# c\nA=1\n\n# B=2\nC= three \n')).toEqual({ A: '1', C: 'three' });
  });
});
