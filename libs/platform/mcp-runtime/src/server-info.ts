import type { ServerIdentity } from './server-identity.ts';

/** A server's full identity, as initialize and `server/discover` send it. */
export interface ServerInfo {
  name: string;
  version: string;
  title?: string;
  description?: string;
  icons?: Array<{ src: string; mimeType?: string; sizes?: string[]; theme?: 'light' | 'dark' }>;
}

/**
 * The full identity of a server (initialize, `server/discover`) and the short one put in every 2026-07-28 result's
 * `_meta`: name, version and title only, no description or icons (data: URIs) on each call. Both built once.
 */
export function serverInfoOf(identity: ServerIdentity): { full: ServerInfo; short: { name: string; version: string; title?: string } } {
  const short = { name: identity.name, version: identity.version, ...(identity.title ? { title: identity.title } : {}) };
  const full = {
    ...short,
    ...(identity.description ? { description: identity.description } : {}),
    ...(identity.icons ? { icons: identity.icons.map(({ sizes, ...icon }) => ({ ...icon, ...(sizes ? { sizes: [...sizes] } : {}) })) } : {}),
  };
  return { full, short };
}
