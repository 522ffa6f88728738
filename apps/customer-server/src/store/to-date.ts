/**
 * A timestamp read from PostgreSQL as a Date. pg parses `timestamptz` columns into Dates, but values inside
 * `json_agg` / `jsonb` come back as ISO strings.
 */
export function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}
