/**
 * Every OAuth scope the federation knows (docs/architecture.md §5). A tool's contract lists the scopes a caller
 * needs; the runtime enforces them and the router hides tools whose scopes the caller lacks.
 *
 * `customer:any` is not a tool scope: it is the reach of staff and service principals across customers (a token
 * bound to a customer reaches only that one; an unbound token without `customer:any` reaches none), checked by the
 * domain services.
 */
export const SCOPES = [
  'customer:read',
  'customer:write',
  'customer:pii',
  'customer:any',
  'order:read',
  'order:write',
  'product:read',
  'product:write',
  'payment:read',
  'payment:write',
  'payment:refund',
  'sql:read',
  'admin',
] as const;

/** One of {@link SCOPES}. */
export type Scope = (typeof SCOPES)[number];
