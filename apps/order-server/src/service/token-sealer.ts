import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Format tag of a sealed value: a new format or algorithm gets a new tag, old values stay readable. */
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Seals short secrets (a caller's access token) for storage, bound to the row they belong to. */
export interface TokenSealer {
  /** AES-256-GCM of `plaintext` with a fresh random 96-bit IV; `boundTo` (e.g. the order id) is authenticated data. */
  seal(plaintext: string, boundTo: string): string;
  /**
   * The plaintext, or undefined when the value was not sealed with this key for `boundTo` (another key, another row,
   * tampered): the caller then acts as if there were no token, never with a guess.
   */
  open(sealed: string, boundTo: string): string | undefined;
}

/**
 * Authenticated encryption (AES-256-GCM, node:crypto) under one 32-byte key (`CALLER_TOKEN_KEY`). Why sealing and not
 * hashing or plain storage: the worker needs the token back to exchange it, a database dump or a read-only SQL role
 * must not yield a usable token, and binding each value to its order id stops a row's token from being moved to
 * another order (GCM's tag covers the additional data).
 */
export function createTokenSealer(key: Buffer): TokenSealer {
  if (key.length !== 32) throw new Error('createTokenSealer: the key must be 32 bytes');
  return Object.freeze({
    seal(plaintext: string, boundTo: string): string {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(boundTo, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`;
    },
    open(sealed: string, boundTo: string): string | undefined {
      const [version, ivText, bodyText, extra] = sealed.split('.');
      if (version !== VERSION || ivText === undefined || bodyText === undefined || extra !== undefined) return undefined;
      const iv = Buffer.from(ivText, 'base64url');
      const body = Buffer.from(bodyText, 'base64url');
      if (iv.length !== IV_BYTES || body.length <= TAG_BYTES) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(boundTo, 'utf8'));
        decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
        return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        return undefined;
      }
    },
  });
}
