import type { z } from 'zod';
import { AppError } from '@mcpfed/errors';

const MAX_VALIDATION_ISSUES = 10;

/** Formats zod issues of a call's arguments for a model: where, what was expected, at most a few. */
export function validationError(error: z.ZodError): AppError {
  const issues = error.issues.slice(0, MAX_VALIDATION_ISSUES).map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  return new AppError('VALIDATION_FAILED', `Invalid arguments: ${summary}. Fix them and call again.`, {
    details: { issues },
  });
}
