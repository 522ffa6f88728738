import { AppError } from '@mcpfed/errors';

/**
 * Validation of factory options, shared by this library's factories so every bad option fails the same
 * way: AppError VALIDATION_FAILED naming the factory and the field (`details.field`).
 */
export const checkOption = {
  /** Returns `value` if it is a non-empty string. */
  nonEmptyString(factory: string, field: string, value: unknown): string {
    if (typeof value === 'string' && value.length > 0) return value;
    throw new AppError('VALIDATION_FAILED', `${factory}: ${field} must be a non-empty string`, { details: { field } });
  },

  /** Returns `value`, or `fallback` when it is undefined, if that is an integer of at least 1. */
  positiveInteger(factory: string, field: string, value: number | undefined, fallback: number): number {
    const result = value ?? fallback;
    if (Number.isInteger(result) && result >= 1) return result;
    throw new AppError('VALIDATION_FAILED', `${factory}: ${field} must be a positive integer`, { details: { field } });
  },
};
