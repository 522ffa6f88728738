import type { ClientLog } from '@mcpfed/mcp-runtime';

/** Who a catalog service call is for: the parts of the request context the rules need. */
export interface Caller {
  /** Principal id: `changed_by` of price history entries. */
  readonly actor: string;
  /** Aborted at the call's deadline or on cancellation; passed on to every query. */
  readonly signal?: AbortSignal | undefined;
  /** Sends log messages to a client that asked for their level; a no-op otherwise. Ids and counts only. */
  readonly clientLog?: ClientLog | undefined;
}
