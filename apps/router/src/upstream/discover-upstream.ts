import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ServiceTokens } from './service-tokens.ts';

/** What one upstream offers, as listed with the router's own identity. JSON objects exactly as the upstream sent them. */
export interface UpstreamSnapshot {
  /** Server name and version reported at initialize. */
  serverInfo: { name: string; version: string };
  /** Its capabilities (e.g. whether it offers completions). */
  capabilities: Record<string, unknown>;
  tools: Array<Record<string, unknown>>;
  /** Resources with a fixed URI. */
  resources: Array<Record<string, unknown>>;
  resourceTemplates: Array<Record<string, unknown>>;
  prompts: Array<Record<string, unknown>>;
}

/** Options of {@link discoverUpstream}. */
export interface DiscoverOptions {
  /** Its Streamable HTTP endpoint. */
  url: string;
  /** Source of the router's service token. */
  tokens: ServiceTokens;
  /** Audience of that token. */
  audience: string;
  /** Time allowed for the whole discovery, in milliseconds. */
  timeoutMs: number;
  /** Router name and version sent as clientInfo. */
  clientInfo: { name: string; version: string };
}

/** Pages followed per list at most: a cursor loop in a faulty upstream must not hang discovery. */
const MAX_PAGES = 50;

/**
 * Lists an upstream's tools, resources, resource templates and prompts with the SDK client (following
 * `nextCursor`), authenticated with the router's service token. Rejects when the upstream cannot be reached
 * or answers wrongly; the caller marks it unavailable. Each discovery is its own short connection: the
 * upstreams are stateless, and a restarted upstream needs nothing special.
 */
export async function discoverUpstream(options: DiscoverOptions): Promise<UpstreamSnapshot> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  const transport = new StreamableHTTPClientTransport(new URL(options.url), {
    fetch: async (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${await options.tokens.token({ audience: options.audience, signal })}`);
      return fetch(input, { ...init, headers, signal });
    },
  });
  const client = new Client(options.clientInfo, { capabilities: {} });
  try {
    await client.connect(transport, { signal, timeout: options.timeoutMs });
    const capabilities = (client.getServerCapabilities() ?? {}) as Record<string, unknown>;
    const serverInfo = client.getServerVersion() ?? { name: 'unknown', version: '0' };
    const request = { signal, timeout: options.timeoutMs };
    const pages = async <T>(list: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor?: string | undefined }>): Promise<T[]> => {
      const all: T[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const { items, nextCursor } = await list(cursor);
        all.push(...items);
        if (!nextCursor) break;
        cursor = nextCursor;
      }
      return all;
    };
    const has = (capability: string) => capabilities[capability] !== undefined;
    const tools = has('tools')
      ? await pages(async (cursor) => {
          const r = await client.listTools(cursor ? { cursor } : {}, request);
          return { items: r.tools as Array<Record<string, unknown>>, nextCursor: r.nextCursor };
        })
      : [];
    const resources = has('resources')
      ? await pages(async (cursor) => {
          const r = await client.listResources(cursor ? { cursor } : {}, request);
          return { items: r.resources as Array<Record<string, unknown>>, nextCursor: r.nextCursor };
        })
      : [];
    const resourceTemplates = has('resources')
      ? await pages(async (cursor) => {
          const r = await client.listResourceTemplates(cursor ? { cursor } : {}, request);
          return { items: r.resourceTemplates as Array<Record<string, unknown>>, nextCursor: r.nextCursor };
        })
      : [];
    const prompts = has('prompts')
      ? await pages(async (cursor) => {
          const r = await client.listPrompts(cursor ? { cursor } : {}, request);
          return { items: r.prompts as Array<Record<string, unknown>>, nextCursor: r.nextCursor };
        })
      : [];
    return { serverInfo: { name: serverInfo.name, version: serverInfo.version }, capabilities, tools, resources, resourceTemplates, prompts };
  } finally {
    await client.close().catch(() => undefined);
  }
}
