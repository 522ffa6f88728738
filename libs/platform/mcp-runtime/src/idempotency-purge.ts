import type { Kysely } from 'kysely';
import { loggableError } from '@mcpfed/db';
import type { Logger } from '@mcpfed/telemetry';
import { IdempotencyStore } from './idempotency-store.ts';

/** How often expired idempotency records are deleted, in milliseconds. */
const PURGE_INTERVAL_MS = 15 * 60 * 1000;

/**
 * Deletes idempotency records older than `retentionMs` every 15 minutes, logging what it deleted and any failure
 * (a failed purge is retried at the next interval). The timer does not keep the process alive. Returns the stop.
 */
export function startIdempotencyPurge<DB>(db: Kysely<DB>, logger: Logger, retentionMs: number): () => void {
  const store = new IdempotencyStore();
  const timer = setInterval(() => {
    store
      .purgeExpired(db, retentionMs)
      .then((purged) => purged > 0 && logger.info({ purged }, 'expired idempotency records deleted'))
      .catch((error: unknown) => logger.warn({ err: loggableError(error) }, 'idempotency purge failed'));
  }, PURGE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
