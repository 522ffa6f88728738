import type { Principal } from '@mcpfed/auth';

/** Who sent a request to the router, and how. */
export interface RouterCaller {
  principal: Principal;
  requestId: string;
  /** W3C traceparent of the caller (header, or `_meta.traceparent` of the message). */
  traceparent?: string | undefined;
  /** MCP-Protocol-Version header of the caller, passed on. */
  protocolVersion?: string | undefined;
  /** Aborts when the caller goes away. */
  signal?: AbortSignal | undefined;
}
