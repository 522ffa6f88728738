import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Principal } from '@mcpfed/auth';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';

/**
 * What this helper needs of an MCP host (structurally `ServerFactory` of @mcpfed/mcp-runtime, which is not
 * imported: the runtime's own tests use this library).
 */
export interface ServerFactoryLike {
  createServer(connectionPrincipal?: Principal): Server;
}

/** An SDK client connected in memory to a server built from a host. */
export interface LinkedClient {
  readonly client: Client;
  close(): Promise<void>;
}

/**
 * Connects a real SDK `Client` to a fresh SDK `Server` of the host over linked in-memory transports, calling
 * as `principal`. Everything between the client and the tool handler is the production code path except
 * HTTP (covered by the HTTP tests).
 */
export async function connectLinkedClient(host: ServerFactoryLike, principal: Principal): Promise<LinkedClient> {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const server = host.createServer(principal);
  await server.connect(serverTransport);
  const client = new Client({ name: 'mcpfed-test', version: '0.0.0' });
  await client.connect(clientTransport);
  return {
    client,
    async close() {
      await client.close();
      await server.close();
    },
  };
}

/** A principal for tests, with exactly the given scopes. */
export function testPrincipal(scopes: readonly string[], subject = 'test-user'): Principal {
  return { id: subject, subject, scopes: new Set(scopes), kind: 'user' };
}
