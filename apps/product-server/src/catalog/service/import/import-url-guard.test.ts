import { describe, expect, it } from 'vitest';
import { hostPortOf, normalizeAllowedHost, parseImportUrl } from './import-url-guard.ts';

describe('normalizeAllowedHost', () => {
  it('accepts host:port pairs and writes them as hostPortOf compares them', () => {
    expect(normalizeAllowedHost('Mirror.Internal:8443')).toBe('mirror.internal:8443');
    expect(normalizeAllowedHost(' 127.0.0.1:9000 ')).toBe('127.0.0.1:9000');
    expect(normalizeAllowedHost('[::1]:80')).toBe('[::1]:80');
    expect(normalizeAllowedHost('[0:0::ffff:7f00:1]:80')).toBe('[::ffff:7f00:1]:80');
    expect(normalizeAllowedHost('2130706433:80')).toBe('127.0.0.1:80');
    expect(hostPortOf(new URL('http://MIRROR.internal/a'))).toBe('mirror.internal:80');
    expect(hostPortOf(new URL('https://mirror.internal/a'))).toBe('mirror.internal:443');
    expect(hostPortOf(new URL('http://[::1]:80/a'))).toBe('[::1]:80');
  });

  it('refuses anything wider than one port of one host', () => {
    for (const entry of [
      '*',
      '*:80',
      'mirror.internal',
      '10.0.0.0/8',
      '10.0.0.0/8:80',
      'http://mirror.internal:80',
      'mirror.internal:0',
      'mirror.internal:70000',
      'a b:80',
      'user@host:80',
      '::1:80',
    ]) {
      expect(normalizeAllowedHost(entry), entry).toBeUndefined();
    }
  });
});

describe('parseImportUrl', () => {
  it('refuses other schemes and credentials, naming the hop', () => {
    expect(() => parseImportUrl('javascript:alert(1)', undefined, 2)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', details: { field: 'source.url', reason: 'scheme', hop: 2 } }),
    );
    expect(() => parseImportUrl('https://u:p@example.com/', undefined, 0)).toThrow(
      expect.objectContaining({ details: { field: 'source.url', reason: 'credentials', hop: 0 } }),
    );
    expect(() => parseImportUrl('http://[zz]/', undefined, 1)).toThrow(
      expect.objectContaining({ details: { field: 'source.url', reason: 'invalid_url', hop: 1 } }),
    );
    expect(parseImportUrl('/next.jsonl', new URL('https://example.com/a/b'), 1).toString()).toBe('https://example.com/next.jsonl');
  });
});
