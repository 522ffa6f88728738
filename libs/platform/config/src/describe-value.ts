/** Setting names whose values are never echoed (case-insensitive substrings). */
const SECRET_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|KEY|CREDENTIAL|PRIVATE/i;

/** A leading scheme and its slashes, also when malformed (`redis//`, `postgres:/`). */
const SCHEME_PREFIX = /^[a-z][a-z0-9+.-]*:?\/+/i;

/** Longer values are cut so the error stays one readable line. */
const MAX_ECHO_LENGTH = 80;

/**
 * Masks whatever could be credentials in a URL-like value: everything between the scheme and the last
 * `@`. Over-masking (an `@` in a query string) is the safe direction.
 */
function maskUserinfo(value: string): string {
  const at = value.lastIndexOf('@');
  if (at < 0) return value;
  const prefix = SCHEME_PREFIX.exec(value)?.[0] ?? '';
  return at < prefix.length ? value : `${prefix}***${value.slice(at)}`;
}

/** Whether the value of a setting with this name may be secret and must not be echoed. */
export function isSecretSetting(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * The ` (got "…")` suffix of an error about `name`: empty for secret-looking names, otherwise the
 * value JSON-quoted (so control characters cannot break the single line), with URL credentials
 * masked and long values shortened.
 */
export function describeValue(name: string, value: string): string {
  if (isSecretSetting(name)) return '';
  const masked = maskUserinfo(value);
  const shown = masked.length > MAX_ECHO_LENGTH ? `${masked.slice(0, MAX_ECHO_LENGTH)}…` : masked;
  return ` (got ${JSON.stringify(shown)})`;
}
