import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Values kept in the browser, signed with HMAC-SHA256 so the server can trust what comes back: the login in progress
 * (state, PKCE verifier, nonce) and the session (who logged in, until when). Not encrypted: nothing in them is secret
 * once the login is over.
 */
export class SignedCookie {
  readonly #key: Buffer;

  constructor(secret: string) {
    this.#key = createHmac('sha256', secret).update('mcpfed approval cookies').digest();
  }

  /** `payload.mac`, both base64url; the payload carries its own expiry (`exp`, epoch milliseconds). */
  seal(value: Record<string, unknown> & { exp: number }): string {
    const payload = Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** The value of a sealed cookie, or undefined when it is missing, forged or expired. */
  open(sealed: string | undefined): Record<string, unknown> | undefined {
    if (sealed === undefined) return undefined;
    const [payload, mac, extra] = sealed.split('.');
    if (payload === undefined || mac === undefined || extra !== undefined || !this.#same(this.mac(payload), mac)) return undefined;
    try {
      const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      return typeof value['exp'] === 'number' && value['exp'] > Date.now() ? value : undefined;
    } catch {
      return undefined;
    }
  }

  /** HMAC of a string under this cookie key, base64url (also the CSRF token of a session and an approval). */
  mac(data: string): string {
    return createHmac('sha256', this.#key).update(data, 'utf8').digest('base64url');
  }

  /** Constant-time comparison of two MACs. */
  #same(a: string, b: string): boolean {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  }

  /** Whether `given` is the MAC of `data`. */
  verify(data: string, given: string): boolean {
    return this.#same(this.mac(data), given);
  }
}

/** The cookies of a request, by name (first wins). */
export function readCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const raw of (header ?? '').split(';')) {
    const part = raw.trim();
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const name = part.slice(0, at).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(at + 1).trim());
  }
  return cookies;
}
