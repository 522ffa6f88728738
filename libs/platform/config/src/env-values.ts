import { z } from 'zod';

/**
 * A zod schema for one environment value: a string parsed by `parse`, which returns undefined when the
 * text is not acceptable; the issue then reads `expected <expected>`.
 */
function envValue<T>(expected: string, parse: (raw: string) => T | undefined) {
  return z.string().transform((raw, ctx): T => {
    const value = parse(raw.trim());
    if (value === undefined) {
      ctx.issues.push({ code: 'custom', message: `expected ${expected}`, input: raw });
      return z.NEVER;
    }
    return value;
  });
}

function integerIn(min: number, max: number): (raw: string) => number | undefined {
  return (raw) => {
    if (!/^\d+$/.test(raw)) return undefined;
    const n = Number(raw);
    return n >= min && n <= max ? n : undefined;
  };
}

function checkDefault(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} default must be an integer in [${min}, ${max}], got ${value}`);
  return value;
}

/** A TCP port (integer 1–65535). `port(8081)`: unset means 8081. */
export function port(defaultPort: number) {
  return envValue('an integer between 1 and 65535', integerIn(1, 65535)).default(checkDefault('port', defaultPort, 1, 65535));
}

/** Options of {@link url}. */
export interface UrlOptions {
  /** Accepted schemes without `://`, e.g. `['postgres', 'postgresql']`, `['redis', 'rediss']`, `['http', 'https']`. Required, non-empty. */
  protocols: readonly string[];
}

function listOf(items: readonly string[]): string {
  return items.length === 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1) ?? ''}`;
}

/**
 * An absolute URL with one of the given schemes; the output is the URL text as given (trimmed), ready
 * for a driver. Required unless followed by `.optional()` or `.default(…)`.
 */
export function url(options: UrlOptions) {
  if (options.protocols.length === 0) throw new RangeError('url() needs at least one protocol');
  const accepted = new Set(options.protocols.map((p) => `${p.toLowerCase()}:`));
  return envValue(`a URL starting with ${listOf(options.protocols.map((p) => `${p}://`))}`, (raw) => {
    if (!URL.canParse(raw)) return undefined;
    return accepted.has(new URL(raw).protocol) && /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : undefined;
  });
}

/** pino's log levels, most to least severe (`silent` logs nothing). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A pino log level (case-insensitive). Unset means `info`. */
export const logLevel = envValue(`one of ${LOG_LEVELS.join(', ')}`, (raw): LogLevel | undefined =>
  LOG_LEVELS.find((level) => level === raw.toLowerCase()),
).default('info');

const TRUE_WORDS: ReadonlySet<string> = new Set(['true', '1', 'yes']);
const FALSE_WORDS: ReadonlySet<string> = new Set(['false', '0', 'no']);

/** A boolean written true/false, 1/0 or yes/no (case-insensitive). Add `.default(false)` for an optional flag. */
export const bool = envValue('true/false, 1/0 or yes/no', (raw) => {
  const word = raw.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  return FALSE_WORDS.has(word) ? false : undefined;
});

/** A duration in whole milliseconds (integer >= 0). `durationMs(5000)`: unset means 5000 ms. */
export function durationMs(defaultMs: number) {
  return envValue('a duration in milliseconds (an integer >= 0)', integerIn(0, Number.MAX_SAFE_INTEGER)).default(
    checkDefault('durationMs', defaultMs, 0, Number.MAX_SAFE_INTEGER),
  );
}

/** A positive integer (>= 1). `positiveInt(10)`: unset means 10. */
export function positiveInt(defaultValue: number) {
  return envValue('a positive integer', integerIn(1, Number.MAX_SAFE_INTEGER)).default(checkDefault('positiveInt', defaultValue, 1, Number.MAX_SAFE_INTEGER));
}

/**
 * A comma-separated list -> `string[]`, items trimmed, empty items dropped (`"a, b,,c"` -> `['a','b','c']`).
 * Add `.default(() => [])` for an optional list.
 */
export const csv = envValue('a comma-separated list', (raw) =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
);

/** Where a process runs: `development` (the dev stack, tests, a laptop) or `production` (anything else). */
export const DEPLOYMENT_ENVIRONMENTS = ['development', 'production'] as const;

/** One of {@link DEPLOYMENT_ENVIRONMENTS}. */
export type DeploymentEnvironment = (typeof DEPLOYMENT_ENVIRONMENTS)[number];

/**
 * `MCPFED_ENV`: `development` or `production` (case-insensitive). Unset means `production`, so a deployment that
 * forgets it fails closed: its secrets are required (see `requireSecretsOutsideDevelopment`).
 */
export const deploymentEnvironment = envValue(`one of ${DEPLOYMENT_ENVIRONMENTS.join(', ')}`, (raw): DeploymentEnvironment | undefined =>
  DEPLOYMENT_ENVIRONMENTS.find((value) => value === raw.toLowerCase()),
).default('production');

/** A secret: a string of at least `minLength` characters (its value is never echoed in errors). Optional until required. */
export function secret(minLength = 1) {
  return z
    .string()
    .refine((raw) => raw.length >= minLength, `expected at least ${minLength} characters`)
    .optional();
}

/** Characters of a Redis key prefix outside its hash tag. */
const KEY_PREFIX = /^[A-Za-z0-9:_.-]*(?:\{[A-Za-z0-9:_.-]+\}[A-Za-z0-9:_.-]*)?$/;

/**
 * A Redis key prefix of BullMQ queues, at most 100 characters of letters, digits, `:`, `_`, `.`, `-` and at most one
 * hash tag `{…}`. `redisKeyPrefix('{mcpfed:order}')`: unset means `{mcpfed:order}`. On Redis Cluster every key of a
 * queue must hash to one slot (BullMQ's scripts touch several at once): a prefix with a hash tag puts all of them
 * there, so the defaults carry one; a prefix without works on a single Redis (or Sentinel) only.
 */
export function redisKeyPrefix(defaultPrefix: string) {
  const valid = (raw: string): boolean => raw.length >= 1 && raw.length <= 100 && KEY_PREFIX.test(raw);
  if (!valid(defaultPrefix)) throw new RangeError(`redisKeyPrefix: invalid default ${JSON.stringify(defaultPrefix)}`);
  return envValue('a Redis key prefix of letters, digits, ":", "_", ".", "-" and at most one {hash tag}, 1-100 characters', (raw) =>
    valid(raw) ? raw : undefined,
  ).default(defaultPrefix);
}
