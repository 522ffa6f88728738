/** The `customers` columns a service reads (the generated search columns left out), as selected from `customers as c`. */
export const CUSTOMER_COLUMNS = [
  'c.id',
  'c.email',
  'c.first_name',
  'c.last_name',
  'c.phone',
  'c.tier',
  'c.status',
  'c.status_reason',
  'c.version',
  'c.created_at',
  'c.updated_at',
  'c.anonymized_at',
] as const;

/** The same columns as a write returns them (`RETURNING`, no alias). */
export const CUSTOMER_RETURNING = [
  'id',
  'email',
  'first_name',
  'last_name',
  'phone',
  'tier',
  'status',
  'status_reason',
  'version',
  'created_at',
  'updated_at',
  'anonymized_at',
] as const;
