/** The MCP log levels (RFC 5424 severities), least severe first. */
export const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;

/** One MCP log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The request `_meta` key that carries the level a client wants log messages of for that request (MCP 2026-07-28,
 * where `logging/setLevel` is gone and `notifications/message` is request-scoped).
 */
export const META_LOG_LEVEL = 'io.modelcontextprotocol/logLevel';

/** Whether `value` is an MCP log level. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** Whether a message of `level` passes a client's `threshold` (at or above it). */
export function logLevelPasses(level: LogLevel, threshold: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(threshold);
}
