import { describe, expect, it } from 'vitest';
import { maskEmail, maskLine, maskPhone, maskPostalCode } from './masking.ts';

describe('masking', () => {
  it('keeps the first letter and the domain of an email', () => {
    expect(maskEmail('john.smith@example.com')).toBe('j***@example.com');
    expect(maskEmail('J@x.io')).toBe('J***@x.io');
    expect(maskEmail('broken')).toBe('***');
  });

  it('keeps the last two digits of a phone number', () => {
    expect(maskPhone('+4930123456')).toBe('+********56');
    expect(maskPhone('+12')).toBe('+**');
  });

  it('hides address lines and all but the first character of a postal code', () => {
    expect(maskLine('Main Street 1')).toBe('***');
    expect(maskPostalCode('10115')).toBe('1****');
    expect(maskPostalCode('SW1A 1AA')).toBe('S*******');
    expect(maskPostalCode('9')).toBe('*');
  });
});
