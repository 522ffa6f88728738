import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from './parse-command-args.ts';

const options = { name: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

describe('parseCommandArgs', () => {
  it('returns the values of the options given', () => {
    expect(parseCommandArgs(['--name', 'a', '-h'], options)).toEqual({ values: { name: 'a', help: true } });
  });

  it('answers an unknown option or a positional argument with the message, without throwing', () => {
    expect(parseCommandArgs(['--other'], options)).toEqual({ error: expect.stringContaining("Unknown option '--other'") });
    expect(parseCommandArgs(['stray'], options)).toEqual({ error: expect.stringContaining('stray') });
  });
});
