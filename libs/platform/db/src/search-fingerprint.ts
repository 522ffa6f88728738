import { createHash } from 'node:crypto';

/**
 * A short digest (12 base64url characters, 72 bits of SHA-256) of what a search was — its query, filters and
 * sort, in a fixed order — for a keyset cursor to carry next to the last row's key (see {@link encodeCursor}).
 * A list compares it with the fingerprint of the request the cursor comes back with and refuses a cursor from
 * another search, instead of silently skipping or repeating rows.
 *
 * `parts` are hashed as their JSON array, so `undefined` and `null` read alike and the order is significant.
 * Cursors live in clients for as long as they like: a list must keep the parts, their order and their
 * encoding (lower-cased text, ISO dates) stable, or every cursor it handed out becomes invalid.
 * @param parts The search's defining values, in the list's own fixed order.
 */
export function searchFingerprint(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 12);
}
