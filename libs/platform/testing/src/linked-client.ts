import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CUSTOMER_ANY_SCOPE } from '@mcpfed/auth';
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

/** Options of {@link testPrincipal}. */
export interface TestPrincipalOptions {
  /** Binds the principal to this customer (like a token's customer claim): it then reaches only that customer. */
  customerId?: string;
}

/** A principal for tests, with exactly the given scopes (and bound to `options.customerId` when given). */
export function testPrincipal(scopes: readonly string[], subject = 'test-user', options: TestPrincipalOptions = {}): Principal {
  return { id: subject, subject, scopes: new Set(scopes), kind: 'user', ...(options.customerId === undefined ? {} : { customerId: options.customerId }) };
}

/**
 * A staff principal for tests: the given scopes plus `customer:any` (the reach across customers that staff and
 * services hold), unbound. What most domain tests act as; tests of customer binding use {@link testPrincipal}.
 */
export function staffPrincipal(scopes: readonly string[], subject = 'test-user'): Principal {
  return testPrincipal([...new Set([...scopes, CUSTOMER_ANY_SCOPE])], subject);
}
