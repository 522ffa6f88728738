import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Principal } from '@mcpfed/auth';

/** What a transport host needs of an {@link McpHost}: a way to make SDK servers (any database type). */
export interface ServerFactory {
  createServer(connectionPrincipal?: Principal): Server;
  /** Whether `principal` set a log level (logging/setLevel), so its requests may carry log messages. */
  sendsLogsTo?(principal: Principal): boolean;
  /** Identity put in 2026-07-28 results' `_meta` (`io.modelcontextprotocol/serverInfo`): name, version, title only. */
  readonly serverInfo?: { name: string; version: string; title?: string };
}
