import { z } from 'zod';

const NON_EMPTY_STRING = 'must be a non-empty string';
const POSITIVE_INTEGER = 'must be a positive integer';
const HTTP_URL = 'must be an http(s) URL';

/**
 * The zod schemas of this library's factory options that recur, worded for `parseOptions` (`<factory>: <field>
 * <issue>`), so every bad option fails the same way.
 */
export const optionSchemas = {
  /** A non-empty string. */
  nonEmptyString: () => z.string({ error: NON_EMPTY_STRING }).min(1, { error: NON_EMPTY_STRING }),

  /** An integer of at least 1; `fallback` when undefined. */
  positiveInteger: (fallback: number) =>
    z.number({ error: POSITIVE_INTEGER }).int({ error: POSITIVE_INTEGER }).min(1, { error: POSITIVE_INTEGER }).default(fallback),

  /** An absolute http: or https: URL. */
  httpUrl: () =>
    z.string({ error: HTTP_URL }).refine((value) => {
      if (!URL.canParse(value)) return false;
      const { protocol } = new URL(value);
      return protocol === 'http:' || protocol === 'https:';
    }, { error: HTTP_URL }),
};
