import { newId as timeOrderedId } from '@mcpfed/db';

/** Id prefixes of the payment domain's entities. */
export type IdPrefix = 'pay' | 'pm' | 're' | 'op' | 'ltx';

/** Makes new ids; the service takes one so the seed can make deterministic ones. */
export type IdGenerator = (prefix: IdPrefix) => string;

/** `<prefix>_<26 base32 characters>`, time-ordered within the process (`newId` of @mcpfed/db, the ULID layout). */
export const newId: IdGenerator = (prefix) => timeOrderedId(prefix);
