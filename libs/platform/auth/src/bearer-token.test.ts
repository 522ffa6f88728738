import { describe, expect, it } from 'vitest';
import { bearerToken } from './bearer-token.ts';

describe('bearerToken', () => {
  it.each([
    ['Bearer abc.def-ghi_jkl', 'abc.def-ghi_jkl'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['Bearer   abc', 'abc'],
    ['Bearer a+b/c==', 'a+b/c=='],
  ])('reads %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([
    [undefined],
    [''],
    ['Bearer'],
    ['Bearer '],
    ['Basic dXNlcjpwYXNz'],
    ['Bearer a b'],
    ['Bearer a, Bearer b'],
    ['Bearer a,b'],
    ['Bearerabc'],
    ['Bearer "abc"'],
    ['Bearer abc\r\nX: y'],
  ])('rejects %j', (header) => {
    expect(bearerToken(header)).toBeUndefined();
  });
});
