import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from './app-error.ts';
import { parseOptions } from './parse-options.ts';

const schema = z.object({
  name: z.string().min(1, 'must be a non-empty string'),
  limit: z.number().int('must be a positive integer').min(1, 'must be a positive integer').default(10),
});

function caught(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (AppError.is(error)) return error;
  }
  throw new Error('expected an AppError');
}

describe('parseOptions', () => {
  it('applies defaults and freezes the result', () => {
    const options = parseOptions('createThing', schema, { name: 'a' });
    expect(options).toEqual({ name: 'a', limit: 10 });
    expect(Object.isFrozen(options)).toBe(true);
  });

  it('names the factory and the first bad field, never the value', () => {
    const error = caught(() => parseOptions('createThing', schema, { name: 'secret-ish', limit: 0 }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toBe('createThing: limit must be a positive integer');
    expect(error.details).toEqual({ field: 'limit' });
  });

  it('calls a missing options object itself the bad field', () => {
    const error = caught(() => parseOptions('createThing', schema, undefined));
    expect(error.details).toEqual({ field: 'options' });
  });
});
