/**
 * Every OAuth scope the federation knows (docs/architecture.md §5). A tool's contract lists the scopes a caller
 * needs; the runtime enforces them and the router hides tools whose scopes the caller lacks.
 */
export const SCOPES = [
  'customer:read',
  'customer:write',
  'customer:pii',
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
