import { logLevelPasses } from './log-level.ts';
import type { LogLevel } from './log-level.ts';
import { storableText } from './storable-text.ts';

/** Details of a client log message: a few scalar values (ids, counts, step names), never personal data. */
export type ClientLogDetails = Readonly<Record<string, string | number | boolean>>;

/** Sends one log message to the client of the request; resolves once it is written (or dropped). */
export type ClientLog = (level: LogLevel, message: string, details?: ClientLogDetails) => Promise<void>;

/** Log messages sent at most per request: a loop that logs cannot flood the client's stream (spec: rate limit). */
export const MAX_CLIENT_LOG_MESSAGES = 100;

/** Longest message text and detail value sent, in characters. */
const MAX_TEXT = 500;
/** Most detail entries sent per message. */
const MAX_DETAILS = 16;

/**
 * A request's {@link ClientLog}: sends `notifications/message` (logger `name`) at or above `threshold` through
 * `send` (the request's own stream, like progress), at most {@link MAX_CLIENT_LOG_MESSAGES}. Without a threshold
 * (the client asked for no level) it sends nothing (MCP 2026-07-28: no messages for a request without a level).
 * Failures to send never fail the call. The text is the caller's fixed wording plus scalar details: the handlers
 * that log pass ids and counts only, never personal data (docs/security.md).
 */
export function clientLog(
  name: string,
  threshold: LogLevel | undefined,
  send: (notification: { method: 'notifications/message'; params: { level: LogLevel; logger: string; data: Record<string, unknown> } }) => Promise<void>,
): ClientLog {
  if (threshold === undefined) return async () => {};
  let sent = 0;
  return async (level, message, details) => {
    if (!logLevelPasses(level, threshold) || sent >= MAX_CLIENT_LOG_MESSAGES) return;
    sent += 1;
    const data: Record<string, unknown> = { message: storableText(message, MAX_TEXT) };
    for (const [key, value] of Object.entries(details ?? {}).slice(0, MAX_DETAILS)) {
      if (key === 'message') continue;
      data[key] = typeof value === 'string' ? storableText(value, MAX_TEXT) : value;
    }
    await send({ method: 'notifications/message', params: { level, logger: name, data } }).catch(() => undefined);
  };
}
