import { defineConfig } from 'vitest/config';

/**
 * Shared test settings. Each project runs `vitest run --config <root>/vitest.config.ts --root .`,
 * so a project's tests run in its own folder while settings live here once.
 * Integration tests (`*.int.test.ts`) talk to real PostgreSQL and Redis; the global setup makes sure
 * both are reachable (starting an embedded PostgreSQL when no server is) before any test file runs.
 * Tests run in development (`MCPFED_ENV=development`): the apps they start take the development-only secrets unless
 * a test sets its own; a test of production behaviour sets `MCPFED_ENV=production` for the process it starts.
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
    env: { MCPFED_ENV: 'development' },
  },
});
