import dns from 'node:dns';
import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { AppError } from '@mcpfed/errors';
import { classifyAddress } from './public-address.ts';

/** Which hosts a `{ url }` import may reach besides public addresses. */
export interface ImportUrlPolicy {
  /**
   * Exact `host:port` pairs (as {@link normalizeAllowedHost} writes them) that may be reached whatever their
   * address: for tests on loopback and for a mirror inside an air-gapped network. Default none. No wildcard, no
   * range and no "allow all": a forgotten entry opens one port of one host, never the private network.
   */
  allowHosts?: readonly string[];
  /**
   * Resolves a host name to every address it has. Default: the system resolver (`dns.lookup` with `all: true`,
   * so /etc/hosts counts). Only tests replace it, to give a name answers no resolver here would.
   */
  lookup?: (hostname: string) => Promise<LookupAddress[]>;
}

/** Why a URL of an import was refused: `details.reason` of its error. */
export type ImportUrlRefusal = 'invalid_url' | 'scheme' | 'credentials' | 'unresolvable' | 'non_public_address' | 'too_many_redirects';

const systemLookup = (hostname: string): Promise<LookupAddress[]> => dns.promises.lookup(hostname, { all: true, order: 'verbatim' });

/**
 * Parses the URL of one hop (0: the URL the caller gave; n: the n-th redirect): http or https, no credentials.
 * WHATWG parsing normalises IPv4 hosts written in decimal, octal or hex (`2130706433`, `0x7f.1`) to dotted form
 * and IPv6 hosts to their compressed form, so what is checked is what is connected to.
 */
export function parseImportUrl(text: string, base: URL | undefined, hop: number): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw refused('VALIDATION_FAILED', 'invalid_url', hop, 'is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw refused('VALIDATION_FAILED', 'scheme', hop, `must be http or https, not ${url.protocol.replace(':', '').slice(0, 20)}`);
  }
  if (url.username !== '' || url.password !== '') throw refused('VALIDATION_FAILED', 'credentials', hop, 'must not carry credentials');
  return url;
}

/**
 * The addresses a hop may connect to: the host's literal address, or every address its name resolves to.
 * Every one of them must be public (an answer set with one private address is refused whole, since the
 * connection could pick it), unless the hop's `host:port` is in `allowHosts`. The caller connects to exactly
 * these addresses, with no second lookup, so a name that changes its answer (DNS rebinding) cannot redirect
 * the connection after the check.
 */
export async function resolveImportTarget(url: URL, policy: ImportUrlPolicy, hop: number): Promise<LookupAddress[]> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: LookupAddress[];
  const family = isIP(host);
  if (family !== 0) {
    addresses = [{ address: host, family }];
  } else {
    try {
      addresses = await (policy.lookup ?? systemLookup)(host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA') throw refused('VALIDATION_FAILED', 'unresolvable', hop, 'names a host that does not resolve', error);
      throw new AppError('UPSTREAM_UNAVAILABLE', "The import URL's host could not be resolved now; try again.", {
        cause: error,
        details: { field: 'source.url', hop },
      });
    }
    if (addresses.length === 0) throw refused('VALIDATION_FAILED', 'unresolvable', hop, 'names a host that does not resolve');
  }
  if (policy.allowHosts?.includes(hostPortOf(url)) === true) return addresses;
  for (const { address } of addresses) {
    const verdict = classifyAddress(address);
    if (!verdict.public) {
      // The range, not the address: a name's private address is the internal network's business.
      throw refused('VALIDATION_FAILED', 'non_public_address', hop, `leads to a ${verdict.range} address; imports reach public addresses only`, undefined, {
        range: verdict.range,
      });
    }
  }
  return addresses;
}

/** The `host:port` of a URL as allow-list entries are written: WHATWG host (IPv6 in brackets), explicit port. */
export function hostPortOf(url: URL): string {
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  return `${url.hostname}:${port}`;
}

/**
 * An allow-list entry in the form {@link hostPortOf} compares with, or undefined when the text is not
 * `host:port` with a port of 1-65535 (`mirror.internal:8443`, `127.0.0.1:9000`, `[::1]:9000`).
 */
export function normalizeAllowedHost(entry: string): string | undefined {
  // Host names in ASCII (punycode for international ones), IPv4 in any notation WHATWG reads, IPv6 in brackets.
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):(\d{1,5})$/.exec(entry.trim());
  if (match === null) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  try {
    return `${new URL(`http://${match[1] as string}/`).hostname}:${port}`;
  } catch {
    return undefined;
  }
}

function refused(
  code: 'VALIDATION_FAILED' | 'PRECONDITION_FAILED',
  reason: ImportUrlRefusal,
  hop: number,
  what: string,
  cause?: unknown,
  extra: Record<string, string> = {},
): AppError {
  const subject = hop === 0 ? 'source.url' : `source.url's redirect ${hop}`;
  return new AppError(code, `${subject} ${what}.`, { ...(cause === undefined ? {} : { cause }), details: { field: 'source.url', reason, hop, ...extra } });
}

/** The error of a URL that redirects more often than allowed. */
export function tooManyRedirects(maxRedirects: number): AppError {
  return refused('PRECONDITION_FAILED', 'too_many_redirects', maxRedirects + 1, `is one redirect too many (at most ${maxRedirects} are followed)`);
}
