import type { CacheHints } from '@mcpfed/mcp-runtime';

/**
 * Cache hints of the router's 2026-07-28 answers. Its lists are filtered by the caller's scopes (private) and change
 * whenever an upstream goes down, comes back or is redeployed, which the router learns within a probe interval and
 * announces on `subscriptions/listen`: they are never reused without asking again (ttl 0). Only `server/discover` is the
 * same for everyone. Routed `resources/read` answers carry the upstream's own hints.
 */
export const ROUTER_CACHE_HINTS: CacheHints = {
  'server/discover': { ttlMs: 60_000, cacheScope: 'public' },
  'tools/list': { ttlMs: 0, cacheScope: 'private' },
  'prompts/list': { ttlMs: 0, cacheScope: 'private' },
  'resources/templates/list': { ttlMs: 0, cacheScope: 'private' },
  'resources/list': { ttlMs: 0, cacheScope: 'private' },
  'resources/read': { ttlMs: 0, cacheScope: 'private' },
};
