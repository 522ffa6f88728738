/**
 * What the global setup provides to every test file (vitest `provide`/`inject`): the services it made sure are
 * reachable, possibly an embedded PostgreSQL it started.
 */
export interface TestServices {
  /** Superuser URL of the test PostgreSQL server (its `postgres` database). */
  databaseUrl: string;
  /** URL of the test Redis server. */
  redisUrl: string;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging needs an interface
  export interface ProvidedContext extends TestServices {}
}

/** PostgreSQL used when neither the global setup nor TEST_DATABASE_URL says otherwise (trust auth, superuser). */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Redis used when neither the global setup nor TEST_REDIS_URL says otherwise. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
