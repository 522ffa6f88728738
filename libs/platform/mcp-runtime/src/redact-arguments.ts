import { createHash } from 'node:crypto';

/** Argument names whose values are personal data or secrets in every domain. */
export const DEFAULT_REDACTED_FIELDS: readonly string[] = [
  'email',
  'phone',
  'first_name',
  'last_name',
  'full_name',
  'line1',
  'line2',
  'postal_code',
  'body',
  'note',
  'password',
  'secret',
  'token',
  'confirm_token',
  'card_number',
  'cvc',
];

const MAX_AUDITED_STRING = 512;

/**
 * Copies tool arguments for the audit log with personal data and secrets replaced by "[redacted]" (at any
 * depth) and long strings truncated, so the audit trail says what was asked without holding what it
 * must not.
 */
export function redactArguments(value: unknown, redacted: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => redactArguments(item, redacted));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = redacted.has(key) && item !== null && item !== undefined ? '[redacted]' : redactArguments(item, redacted);
    }
    return out;
  }
  if (typeof value === 'string' && value.length > MAX_AUDITED_STRING) {
    return `${value.slice(0, MAX_AUDITED_STRING)}…[${value.length} chars]`;
  }
  return value;
}

/** JSON with object keys sorted, so equal arguments hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 hex digest of the canonical JSON of a value. */
export function digest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
