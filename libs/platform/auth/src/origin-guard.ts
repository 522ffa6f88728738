import { parseOptions } from '@mcpfed/errors';
import { z } from 'zod';

/** Options of {@link createOriginGuard}. */
export interface OriginGuardConfig {
  /**
   * Browser origins allowed to call this server, as `scheme://host[:port]` (compared exactly after
   * normalisation: lowercase, default port dropped). Empty: only loopback origins
   * (`http(s)://localhost|127.0.0.1|[::1]` on any port) are allowed.
   */
  allowedOrigins: readonly string[];
  /**
   * Host names this server answers to, as `host` or `host:port` (the port is ignored: compared by host name,
   * case-insensitively). IPv6 as `[::1]` or `::1`. Must not be empty; the caller supplies the default list
   * (e.g. `localhost`, `127.0.0.1`, `[::1]` plus the deployment's public name).
   */
  allowedHosts: readonly string[];
}

/** The headers the guard reads. Pass `:authority` as `host` for HTTP/2. */
export interface OriginGuardHeaders {
  origin?: string | undefined;
  host?: string | undefined;
}

/** The guard's verdict; on refusal, the HTTP status to answer with and a reason safe to send back. */
export type OriginGuardResult = { readonly ok: true } | { readonly ok: false; readonly status: 403 | 400; readonly reason: string };

/** Checks one request's Origin and Host headers (see {@link createOriginGuard}). */
export type OriginGuard = (headers: OriginGuardHeaders) => OriginGuardResult;

const OK: OriginGuardResult = Object.freeze({ ok: true });
const FOREIGN_ORIGIN: OriginGuardResult = Object.freeze({ ok: false, status: 403, reason: 'origin not allowed' });
const FOREIGN_HOST: OriginGuardResult = Object.freeze({ ok: false, status: 403, reason: 'host not allowed' });
const MISSING_HOST: OriginGuardResult = Object.freeze({ ok: false, status: 400, reason: 'host header missing' });
const INVALID_HOST: OriginGuardResult = Object.freeze({ ok: false, status: 400, reason: 'host header invalid' });

const LOOPBACK_ORIGIN = /^https?:\/\/(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/i;
/** `[ipv6]` or a reg-name/IPv4, then an optional port (RFC 9110 §7.2 Host = uri-host [ ":" port ]). */
const HOST_HEADER = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~-]+)(?::\d{0,5})?$/;

/**
 * DNS-rebinding protection for the Streamable HTTP endpoint, run on every request before authentication.
 *
 * - No `Origin`: allowed (non-browser clients send none; the attack needs a browser, which always sends one).
 * - `Origin` present: must equal one of `allowedOrigins`, or be a loopback origin when that list is empty;
 *   otherwise 403 (MCP transports: "If the Origin header is present and invalid, servers MUST respond with
 *   HTTP 403 Forbidden"). `Origin: null` (sandboxed frames, `file:`) is foreign.
 * - `Host`: a host name outside `allowedHosts` is 403 (a rebinding page reaches us under its own name); a
 *   missing or syntactically invalid `Host` is 400 (RFC 9112 §3.2: a server MUST answer 400).
 *
 * The allow-lists are normalised into sets once, here; a check is a regex and two `Set` look-ups.
 * Throws `AppError('VALIDATION_FAILED')` for an empty `allowedHosts` or an entry that cannot be parsed.
 */
export function createOriginGuard(options: OriginGuardConfig): OriginGuard {
  const { allowedOrigins: origins, allowedHosts: hosts } = parseOptions('createOriginGuard', originGuardOptions, options);
  const originAllowed = origins.size === 0 ? (origin: string) => LOOPBACK_ORIGIN.test(origin) : (origin: string) => origins.has(origin);

  return (headers) => {
    const origin = headers.origin;
    if (origin !== undefined && !originAllowed(origin)) return FOREIGN_ORIGIN;
    const host = headers.host;
    if (host === undefined || host === '') return MISSING_HOST;
    const name = hostName(host);
    if (name === undefined) return INVALID_HOST;
    return hosts.has(name) ? OK : FOREIGN_HOST;
  };
}

/** The lowercase host name of a `Host` value (brackets kept for IPv6), or `undefined` when it is malformed. */
function hostName(host: string): string | undefined {
  const match = HOST_HEADER.exec(host);
  return match?.[1]?.toLowerCase();
}

/** The origin as browsers serialise it, or the problem with the entry. */
function normaliseOrigin(entry: string): { origin: string } | { problem: string } {
  if (!URL.canParse(entry)) return { problem: `holds an invalid origin ${JSON.stringify(entry)}` };
  const url = new URL(entry);
  const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !bare) {
    return { problem: `entries must be scheme://host[:port], got ${JSON.stringify(entry)}` };
  }
  // Browsers serialise Origin the way URL#origin does (lowercase, no default port), so compare against that form.
  return { origin: url.origin };
}

const originGuardOptions = z.object({
  allowedOrigins: z.array(z.string(), { error: 'must be a list of origins' }).transform((entries, ctx) => {
    const origins = new Set<string>();
    for (const entry of entries) {
      const normalised = normaliseOrigin(entry);
      if ('problem' in normalised) {
        ctx.addIssue({ code: 'custom', message: normalised.problem });
        return z.NEVER;
      }
      origins.add(normalised.origin);
    }
    return origins;
  }),
  allowedHosts: z
    .array(z.string(), { error: 'must be a list of host names' })
    .min(1, { error: 'must not be empty' })
    .transform((entries, ctx) => {
      const hosts = new Set<string>();
      for (const entry of entries) {
        const bracketed = !entry.startsWith('[') && entry.split(':').length > 2 ? `[${entry}]` : entry;
        const name = hostName(bracketed);
        if (name === undefined) {
          ctx.addIssue({ code: 'custom', message: `holds an invalid host ${JSON.stringify(entry)}` });
          return z.NEVER;
        }
        hosts.add(name);
      }
      return hosts;
    }),
});
