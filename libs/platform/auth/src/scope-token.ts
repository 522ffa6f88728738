/** RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )` (printable ASCII except space, `"` and `\`). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Whether `value` is a single OAuth scope token, so a space-separated scope string can carry it unchanged. */
export function isScopeToken(value: unknown): value is string {
  return typeof value === 'string' && SCOPE_TOKEN.test(value);
}
