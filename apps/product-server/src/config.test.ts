import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '@mcpfed/config';
import { productConfigSchema } from './config.ts';

const BASE = { MCPFED_ENV: 'development', DATABASE_URL: 'postgres://app:secret@db.internal:5432/product' };

describe('productConfigSchema: PRODUCT_IMPORT_ALLOW_HOSTS', () => {
  it('is empty by default: URL imports reach public addresses only', () => {
    expect(parseConfig(productConfigSchema, BASE).PRODUCT_IMPORT_ALLOW_HOSTS).toEqual([]);
  });

  it('takes exact host:port pairs', () => {
    const config = parseConfig(productConfigSchema, { ...BASE, PRODUCT_IMPORT_ALLOW_HOSTS: 'Mirror.Internal:8443, 10.0.0.7:80,[::1]:9000' });
    expect(config.PRODUCT_IMPORT_ALLOW_HOSTS).toEqual(['mirror.internal:8443', '10.0.0.7:80', '[::1]:9000']);
  });

  it('refuses a wildcard, a range or a host without port, and the removed allow-everything switch', () => {
    for (const env of [
      { PRODUCT_IMPORT_ALLOW_HOSTS: '*' },
      { PRODUCT_IMPORT_ALLOW_HOSTS: '10.0.0.0/8' },
      { PRODUCT_IMPORT_ALLOW_HOSTS: 'mirror.internal' },
      { PRODUCT_IMPORT_ALLOW_PRIVATE_URLS: 'true' },
    ]) {
      const name = Object.keys(env)[0] as string;
      expect(() => parseConfig(productConfigSchema, { ...BASE, ...env }), name).toThrow(ConfigError);
      expect(() => parseConfig(productConfigSchema, { ...BASE, ...env }), name).toThrow(new RegExp(name));
    }
  });
});
