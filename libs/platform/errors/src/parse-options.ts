import type { z } from 'zod';
import { AppError } from './app-error.ts';

/**
 * The one way a library validates the options object of its factory or constructor: parse it with the options'
 * zod schema (defaults applied, unknown keys dropped) and freeze the result. The first problem becomes an AppError
 * VALIDATION_FAILED whose message is `<where>: <field> <issue message>` and whose `details.field` names the field,
 * so each schema words its issues as the rest of that sentence (`must be a positive integer`). The value itself is
 * never added to the message (an option may be a secret); a schema may quote one that is not.
 *
 * @param where the factory or class, e.g. `createMetrics`.
 */
export function parseOptions<S extends z.ZodType>(where: string, schema: S, options: unknown): Readonly<z.output<S>> {
  const parsed = schema.safeParse(options);
  if (parsed.success) return Object.freeze(parsed.data);
  const issue = parsed.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? 'options' : issue.path.map(String).join('.');
  throw new AppError('VALIDATION_FAILED', `${where}: ${field} ${issue?.message ?? 'are invalid'}`, { details: { field } });
}
