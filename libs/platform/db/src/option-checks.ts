import { AppError } from '@mcpfed/errors';
import { z } from 'zod';

/**
 * Returns `value` (or `fallback` when undefined) after checking it is an integer in [min, max]; otherwise throws
 * VALIDATION_FAILED naming the option, as every factory validates its options object up front.
 */
export function integerOption(where: string, name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result < min || result > max) {
    throw new AppError('VALIDATION_FAILED', `${where}: ${name} must be an integer from ${min} to ${max}.`, {
      details: { option: name },
    });
  }
  return result;
}

/** Checks that `value` is a string matching `pattern`; the message names the option, never the value. */
export function stringOption(where: string, name: string, value: unknown, pattern: RegExp, expected: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new AppError('VALIDATION_FAILED', `${where}: ${name} must be ${expected}.`, { details: { option: name } });
  }
  return value;
}

/** A lower-case SQL identifier (role, schema, table): what the guards and role grants accept. */
export const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** A relation name, optionally schema-qualified: `orders` or `reporting.order_totals`. */
export const RELATION_NAME = /^(?:[a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,62}$/;

const RELATION_NAMES = 'must be lower-case relation names like "orders" or "reporting.totals".';

/**
 * The zod schema of an option listing relation names (an allow-list, a role's grants), worded for `parseOptions`;
 * with `atLeastOne`, an empty list is refused too.
 */
export function relationNamesOption(atLeastOne: boolean) {
  const empty = 'must list at least one relation.';
  return z
    .array(z.unknown(), { error: atLeastOne ? empty : RELATION_NAMES })
    .refine((list) => !atLeastOne || list.length > 0, { error: empty })
    .refine((list) => list.every((relation) => typeof relation === 'string' && RELATION_NAME.test(relation)), { error: RELATION_NAMES })
    .transform((list) => Object.freeze(list as string[]));
}

/** Quotes an SQL identifier (`"a""b"`), for the few statements (DDL, GRANT) that take no parameters. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a relation name that may be schema-qualified, part by part. */
export function quoteRelation(name: string): string {
  return name.split('.').map(quoteIdentifier).join('.');
}
