import { formatId as formatEntityId, newId as newEntityId } from '@mcpfed/db';

/** Id prefixes of the customer domain's entities. */
export type IdPrefix = 'cus' | 'adr' | 'note' | 'evt';

/** A new customer-domain id, e.g. `cus_01hgzc7grw6afgn4k4q1952d1s` (sorts by creation; see @mcpfed/db newId). */
export function newId(prefix: IdPrefix, now?: number): string {
  return newEntityId(prefix, now);
}

/** Formats an id from a millisecond time and 10 random bytes (the deterministic seed). */
export function formatId(prefix: IdPrefix, time: number, random: Uint8Array): string {
  return formatEntityId(prefix, time, random);
}
