import { optionSchemas, parseOptions } from '@mcpfed/errors';
import pino from 'pino';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import { z } from 'zod';
import { currentRequestScope } from './request-scope.ts';

/**
 * The logger every mcpfed library and app takes. It is pino's logger; depend on this alias rather than
 * on pino, so the choice of logging library stays in one place.
 */
export type Logger = PinoLogger;

/** Log levels, most to least severe; `silent` turns logging off. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where log lines go instead of stderr: anything with `write(line: string)`. */
export type LogDestination = DestinationStream;

/** Options of {@link createLogger}. */
export interface LoggerConfig {
  /** Name of the process or component, written as `name` on every line (e.g. `customer-server`). */
  readonly name: string;
  /** Least severe level written. */
  readonly level: LogLevel;
  /**
   * Where to write the JSON lines. Default: stderr (fd 2), asynchronously, flushed on process exit.
   * Never stdout: in `--stdio` mode stdout is the MCP protocol channel.
   */
  readonly destination?: LogDestination;
}

/** Text written in place of a redacted value. */
export const REDACTED = '[redacted]';

const SECRET_OR_PII_KEYS = [
  'authorization',
  'cookie',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'confirm_token',
  'password',
  'secret',
  'client_secret',
  'api_key',
  'email',
  'phone',
  'shipping_address',
  'billing_address',
];

/**
 * Paths pino redacts (exact keys, case-sensitive): a secret or PII key at the top level, one level
 * down (`args.email`, `customer.phone`, `headers.authorization`) and two levels down under `args`
 * (`args.shipping.phone`), a postal `address` in tool arguments and customers, plus request/response
 * headers as pino-http and node:http name them.
 * Deeper wildcards are not used: pino's redaction cost grows with each wildcard level.
 */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_OR_PII_KEYS.flatMap((key) => [key, `*.${key}`, `args.*.${key}`]),
  // `address` only where it is a postal address: elsewhere (a Node error's `address`) it is a host.
  'args.address',
  'args.*.address',
  'customer.address',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers["set-cookie"]',
  'headers["x-api-key"]',
];

interface ScopeFields {
  request_id: string;
  trace_id: string | undefined;
  principal: string | undefined;
  tool: string | undefined;
}

// Returned outside any request scope; mergeScopeFields never mutates it, so it can be shared.
const NO_SCOPE: object = Object.freeze({});

function scopeFields(): object {
  const scope = currentRequestScope();
  if (scope === undefined) return NO_SCOPE;
  const fields: ScopeFields = {
    request_id: scope.requestId,
    trace_id: scope.traceId,
    principal: scope.principal,
    tool: scope.tool,
  };
  return fields;
}

// pino's default strategy (Object.assign(mixin, merge)) would mutate the shared NO_SCOPE object.
function mergeScopeFields(mergeObject: object, mixinObject: object): object {
  return mixinObject === NO_SCOPE ? mergeObject : Object.assign(mixinObject, mergeObject);
}

const loggerOptions = z.object({
  name: optionSchemas.nonEmptyString(),
  level: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }),
  destination: z.custom<LogDestination>().optional(),
});

/**
 * Creates the process logger: pino JSON lines on stderr with `level` as a label, `name`, and the
 * current request scope (`request_id`, `trace_id`, `principal`, `tool`; see `runWithRequestScope`)
 * on every line. Fields passed to a log call win over the scope's. Secrets and PII at
 * {@link REDACT_PATHS} are replaced by {@link REDACTED}.
 *
 * @throws AppError VALIDATION_FAILED when `name` is empty or `level` is not one of {@link LOG_LEVELS}.
 */
export function createLogger(options: LoggerConfig): Logger {
  const { name, level, destination } = parseOptions('createLogger', loggerOptions, options);
  return pino(
    {
      name,
      level,
      mixin: scopeFields,
      mixinMergeStrategy: mergeScopeFields,
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 2, sync: false }),
  );
}
