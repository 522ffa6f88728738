import { z } from 'zod';

const NON_EMPTY_STRING = 'must be a non-empty string';
const POSITIVE_INTEGER = 'must be a positive integer';
const HTTP_URL = 'must be an http(s) URL';
const NON_NEGATIVE_NUMBER = 'must be a finite number >= 0';

/**
 * The zod schemas of factory options that recur across the libraries, worded for `parseOptions`
 * (`<factory>: <field> <issue>`), so every bad option fails the same way.
 */
export const optionSchemas = {
  /** A non-empty string. */
  nonEmptyString: () => z.string({ error: NON_EMPTY_STRING }).min(1, { error: NON_EMPTY_STRING }),

  /** A finite number of at least 0; `fallback` when undefined. */
  nonNegativeNumber: (fallback: number) =>
    z.number({ error: NON_NEGATIVE_NUMBER }).finite({ error: NON_NEGATIVE_NUMBER }).min(0, { error: NON_NEGATIVE_NUMBER }).default(fallback),

  /** An integer of at least 1; `fallback` when undefined. */
  positiveInteger: (fallback: number) =>
    z.number({ error: POSITIVE_INTEGER }).int({ error: POSITIVE_INTEGER }).min(1, { error: POSITIVE_INTEGER }).default(fallback),

  /** An integer from `min` to `max` inclusive; `fallback` when undefined. */
  integerBetween: (min: number, max: number, fallback: number) => {
    const error = `must be an integer from ${min} to ${max}.`;
    return z.number({ error }).int({ error }).min(min, { error }).max(max, { error }).default(fallback);
  },

  /** A string matching `pattern`, described by `expected` (`a postgres:// URL`). */
  stringMatching: (pattern: RegExp, expected: string) => {
    const error = `must be ${expected}.`;
    return z.string({ error }).regex(pattern, { error });
  },

  /** An absolute http: or https: URL. */
  httpUrl: () =>
    z.string({ error: HTTP_URL }).refine(
      (value) => {
        if (!URL.canParse(value)) return false;
        const { protocol } = new URL(value);
        return protocol === 'http:' || protocol === 'https:';
      },
      { error: HTTP_URL },
    ),
};
