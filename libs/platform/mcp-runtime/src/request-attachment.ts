import type { Principal } from '@mcpfed/auth';

/** Data a transport attaches to each incoming request (through the SDK's `authInfo.extra`). */
export interface RequestAttachment {
  principal: Principal;
  requestId: string;
  /** W3C traceparent header of the HTTP request, if any. */
  traceparent?: string;
}
