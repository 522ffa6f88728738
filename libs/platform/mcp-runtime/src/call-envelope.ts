import type { Principal } from '@mcpfed/auth';
import type { TraceContext } from '@mcpfed/telemetry';
import type { ClientLog } from './client-log.ts';

/** What the transport knows about one call. */
export interface CallEnvelope {
  requestId: string;
  principal: Principal;
  /** Trace context of the caller (traceparent header or `_meta.traceparent`), if any. */
  parentTrace: TraceContext | undefined;
  /** Aborted when the client goes away or cancels. */
  signal: AbortSignal;
  /** Sends a progress notification when the client asked for progress; otherwise undefined. */
  sendProgress: ((progress: number, total?: number, message?: string) => Promise<void>) | undefined;
  /** Sends log messages at or above the level the client asked for (a no-op when it asked for none). */
  clientLog: ClientLog;
  /** MCP revision the request was sent under (see {@link ToolContext.protocolVersion}). Default 2025-11-25. */
  protocolVersion?: string;
  /** The call asked to run as a task (`params.task`): the tool's task binding shapes its input. */
  asTask?: boolean;
}
