import { AppError } from '@mcpfed/errors';

/** Names of the SQLSTATE classes (PostgreSQL, Appendix A), for a log message that names the kind of failure. */
const SQLSTATE_CLASSES: Readonly<Record<string, string>> = {
  '08': 'connection exception',
  '0A': 'feature not supported',
  '21': 'cardinality violation',
  '22': 'data exception',
  '23': 'integrity constraint violation',
  '25': 'invalid transaction state',
  '28': 'invalid authorization specification',
  '2B': 'dependent privilege descriptors still exist',
  '3D': 'invalid catalog name',
  '3F': 'invalid schema name',
  '40': 'transaction rollback',
  '42': 'syntax error or access rule violation',
  '53': 'insufficient resources',
  '54': 'program limit exceeded',
  '55': 'object not in prerequisite state',
  '57': 'operator intervention',
  '58': 'system error',
  P0: 'PL/pgSQL error',
  XX: 'internal error',
};

/**
 * The fields of a PostgreSQL error that name things, never data: `detail` (it holds the failing row), `hint`,
 * `where`, `internalQuery`, `position` and the driver's message (`invalid input syntax for type uuid: "<value>"`)
 * are left out.
 */
const SAFE_FIELDS = ['code', 'severity', 'routine', 'schema', 'table', 'column', 'dataType', 'constraint'] as const;

/** How many causes deep a chain is followed. */
const MAX_CAUSES = 5;

function isDriverError(error: unknown): error is Error & Record<string, unknown> {
  if (!(error instanceof Error)) return false;
  const fields = error as unknown as Record<string, unknown>;
  return typeof fields['code'] === 'string' && /^[0-9A-Z]{5}$/.test(fields['code']) && typeof fields['severity'] === 'string';
}

/** A stack without its first line, which repeats the message. */
function framesOf(error: Error): string | undefined {
  const stack = error.stack;
  if (stack === undefined) return undefined;
  const lines = stack.split('\n');
  const firstFrame = lines.findIndex((line) => line.trimStart().startsWith('at '));
  return firstFrame < 0 ? undefined : lines.slice(firstFrame).join('\n');
}

function describe(error: unknown, depth: number): unknown {
  if (depth > MAX_CAUSES) return undefined;
  if (isDriverError(error)) {
    const code = error['code'] as string;
    const safe: Record<string, unknown> = {
      type: 'DatabaseError',
      message: `database error ${code} (${SQLSTATE_CLASSES[code.slice(0, 2)] ?? 'unknown class'})`,
    };
    for (const field of SAFE_FIELDS) if (typeof error[field] === 'string') safe[field] = error[field];
    const stack = framesOf(error);
    if (stack !== undefined) safe['stack'] = `DatabaseError: ${safe['message'] as string}\n${stack}`;
    return safe;
  }
  if (error instanceof Error && error.cause !== undefined) {
    // Rebuilt rather than mutated: the error may still be thrown on elsewhere.
    const copy: Record<string, unknown> = { type: error.name, message: error.message, stack: error.stack };
    if (AppError.is(error)) Object.assign(copy, { code: error.code, details: error.details });
    copy['cause'] = describe(error.cause, depth + 1);
    return copy;
  }
  return error;
}

/**
 * What may be logged of a failure (`logger.error({ err: loggableError(error) }, …)`): a PostgreSQL error, also as the
 * cause of another error, keeps only its SQLSTATE, severity, routine and the names of the schema, table, column,
 * data type and constraint, with a message built from the SQLSTATE, because the driver's own message, `detail` and
 * `where` can carry the values of the failing row (personal data). Any other error is returned as it is.
 */
export function loggableError(error: unknown): unknown {
  return describe(error, 0);
}
