import { defineConfig } from 'vitest/config';

/**
 * Shared test settings. Each project runs `vitest run --config <root>/vitest.config.ts --root .`,
 * so a project's tests run in its own folder while settings live here once.
 * Integration tests (`*.int.test.ts`) talk to real PostgreSQL and Redis; the global setup makes sure
 * both are reachable (starting an embedded PostgreSQL when no server is) before any test file runs.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: [new URL('./libs/platform/testing/src/global-setup.ts', import.meta.url).pathname],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    sequence: { hooks: 'stack' },
  },
});
