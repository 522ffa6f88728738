import { describe, expect, it } from 'vitest';
import { completersOf } from './completers-of.ts';

describe('completersOf', () => {
  it('needs exactly the completers the contract declares', () => {
    const completer = async () => [];
    expect(completersOf('prompt p', undefined, undefined)).toBeUndefined();
    expect(Object.keys(completersOf('prompt p', ['customer_id'], { customer_id: completer }) ?? {})).toEqual(['customer_id']);
    expect(() => completersOf('prompt p', ['customer_id'], {})).toThrow(/missing: customer_id/);
    expect(() => completersOf('prompt p', [], { id: completer })).toThrow(/undeclared: id/);
  });
});
