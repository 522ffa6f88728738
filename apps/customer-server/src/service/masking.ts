/**
 * Masking of personal data for callers without `customer:pii` (docs/architecture.md §5). Enough stays visible to tell
 * records apart and to confirm a detail a customer gives on the phone, not enough to contact or locate them.
 */

/** `john.smith@example.com` -> `j***@example.com`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

/** `+4930123456` -> `+********56`: the last two digits stay. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/^\+/, '');
  if (digits.length <= 2) return '+**';
  return `+${'*'.repeat(digits.length - 2)}${digits.slice(-2)}`;
}

/** An address line -> `***`. */
export function maskLine(line: string): string {
  return line.length === 0 ? line : '***';
}

/** `10115` -> `1****`: the first character (a coarse area) stays. */
export function maskPostalCode(postalCode: string): string {
  return postalCode.length <= 1 ? '*' : `${postalCode.slice(0, 1)}${'*'.repeat(postalCode.length - 1)}`;
}
