import { describe, expect, it } from 'vitest';
import { traceableError } from './traceable-error.ts';

describe('traceableError', () => {
  it('records a driver error without its message or detail', () => {
    const driver = Object.assign(new Error('invalid input syntax for type integer: "alice@example.com"'), {
      code: '22P02',
      severity: 'ERROR',
      detail: 'alice@example.com',
    });
    const traced = traceableError(driver) as Error;
    expect(traced).toBeInstanceOf(Error);
    expect(traced.message).toBe('database error 22P02 (data exception)');
    expect(`${traced.name} ${traced.message} ${traced.stack}`).not.toContain('alice@example.com');
  });

  it('leaves other errors as they are', () => {
    const plain = new Error('boom');
    expect(traceableError(plain)).toBe(plain);
  });
});
