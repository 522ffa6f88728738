import type { Principal } from '@mcpfed/auth';
import { newRequestId, parseTraceparent } from '@mcpfed/telemetry';
import type { TraceContext } from '@mcpfed/telemetry';
import type { CallEnvelope } from './call-envelope.ts';
import { clientLog } from './client-log.ts';
import type { HandlerExtra } from './handler-extra.ts';
import { META_LOG_LEVEL, isLogLevel } from './log-level.ts';
import type { LogLevel } from './log-level.ts';
import type { LogLevelMemory } from './log-level-memory.ts';
import { ProtocolError } from './protocol-error.ts';
import { isModernRevision, requestRevision } from './protocol-revision.ts';
import type { RequestAttachment } from './request-attachment.ts';

const META_TRACEPARENT = 'traceparent';

/**
 * What one request carries, as the runner and the domain handlers see it: the caller (the transport's attachment,
 * else the connection's principal), request id, trace parent, revision, progress and client log.
 *
 * @param serverName the logger name of the client log messages.
 * @param logLevels the levels callers set with `logging/setLevel`.
 * @throws ProtocolError -32600 without a principal, -32602 for a `_meta` log level that is not a level.
 */
export function callEnvelopeOf(extra: HandlerExtra, connectionPrincipal: Principal | undefined, serverName: string, logLevels: LogLevelMemory): CallEnvelope {
  const attachment = extra.authInfo?.extra?.['mcpfed'] as RequestAttachment | undefined;
  const principal = attachment?.principal ?? connectionPrincipal;
  if (!principal) throw new ProtocolError(-32600, 'unauthenticated request');
  const progressToken = extra._meta?.['progressToken'] as string | number | undefined;
  const traceparent = (extra._meta?.[META_TRACEPARENT] as string | undefined) ?? attachment?.traceparent;
  const protocolVersion = requestRevision(extra._meta, extra.requestInfo?.headers?.['mcp-protocol-version']);
  return {
    clientLog: clientLog(serverName, logLevelOf(extra, principal, protocolVersion, logLevels), (notification) => extra.sendNotification(notification)),
    requestId: attachment?.requestId ?? newRequestId(),
    principal,
    parentTrace: parentTrace(traceparent),
    signal: extra.signal,
    protocolVersion,
    sendProgress:
      progressToken === undefined
        ? undefined
        : (progress, total, message) =>
            extra.sendNotification({
              method: 'notifications/progress',
              params: { progressToken, progress, ...(total === undefined ? {} : { total }), ...(message === undefined ? {} : { message }) },
            }),
  };
}

/**
 * The level the request asked log messages of: its own `_meta` level, else (2025-11-25 and earlier only) the one
 * its caller set with `logging/setLevel`, else none (no messages: a 2026-07-28 request without its own level gets
 * none, see client-log.ts). A `_meta` level that is not a level is -32602.
 */
function logLevelOf(extra: HandlerExtra, principal: Principal, protocolVersion: string, logLevels: LogLevelMemory): LogLevel | undefined {
  const asked = extra._meta?.[META_LOG_LEVEL];
  if (asked === undefined) return isModernRevision(protocolVersion) ? undefined : logLevels.get(principal.id);
  if (!isLogLevel(asked))
    throw new ProtocolError(
      -32602,
      `Invalid params: _meta["${META_LOG_LEVEL}"] must be one of debug, info, notice, warning, error, critical, alert, emergency`,
    );
  return asked;
}

function parentTrace(traceparent: string | undefined): TraceContext | undefined {
  const parsed = parseTraceparent(traceparent);
  if (!parsed) return undefined;
  return { traceId: parsed.traceId, spanId: parsed.parentSpanId, sampled: parsed.sampled, traceparent: traceparent as string };
}
