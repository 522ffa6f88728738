import { inject } from 'vitest';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from './test-services.ts';
import type { TestServices } from './test-services.ts';

/**
 * The URL of a test service: what the global setup provided when running under vitest, else the environment
 * variable (TEST_DATABASE_URL / TEST_REDIS_URL), else the local default.
 */
export function testServiceUrl(key: keyof TestServices): string {
  let provided: string | undefined;
  try {
    provided = inject(key);
  } catch {
    // not inside a vitest worker (e.g. a script reusing the helpers)
  }
  if (typeof provided === 'string' && provided !== '') return provided;
  return key === 'databaseUrl' ? (process.env['TEST_DATABASE_URL'] ?? DEFAULT_DATABASE_URL) : (process.env['TEST_REDIS_URL'] ?? DEFAULT_REDIS_URL);
}
