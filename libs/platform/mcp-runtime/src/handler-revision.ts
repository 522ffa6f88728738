import type { HandlerExtra } from './handler-extra.ts';
import { requestRevision } from './protocol-revision.ts';
import { taskRevisionOf } from './task-wire.ts';
import type { TaskRevision } from './task-wire.ts';

/** The MCP revision of a request: its `_meta` claim, else its MCP-Protocol-Version header, else 2025-11-25. */
export function handlerRevision(extra: HandlerExtra): TaskRevision {
  return taskRevisionOf(requestRevision(extra._meta, extra.requestInfo?.headers?.['mcp-protocol-version']));
}
