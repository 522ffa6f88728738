import type { Principal } from '@mcpfed/auth';
import type { ServerFactory } from './server-factory.ts';
import { StdioLineTransport } from './stdio-transport.ts';
import type { StdioLineTransportConfig } from './stdio-transport.ts';

/** A running stdio host. */
export interface StdioServerHandle {
  /** Resolves when the client closes stdin or the transport closes. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves an {@link McpHost} on stdin/stdout for a local, trusted client. The principal comes from the
 * environment (MCP authorization spec: stdio transports take credentials from the environment), so every
 * call runs as that principal with its scopes. Logs must go to stderr: stdout is the protocol channel. Every message
 * read is answered, malformed ones included (see StdioLineTransport); `options` set its 2026-07-28 behaviour (identity,
 * cache hints, whether `subscriptions/listen` stays open).
 */
export async function serveStdio(host: ServerFactory, principal: Principal, options: StdioLineTransportConfig = {}): Promise<StdioServerHandle> {
  const server = host.createServer(principal);
  const transport = new StdioLineTransport(process.stdin, process.stdout, {
    ...(host.serverInfo === undefined ? {} : { serverInfo: host.serverInfo }),
    ...options,
  });
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  server.onclose = () => resolveClosed();
  process.stdin.once('end', () => void server.close());
  await server.connect(transport);
  return { closed, close: () => server.close() };
}
