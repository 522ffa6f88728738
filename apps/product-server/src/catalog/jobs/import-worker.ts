import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { jobContext, systemPrincipal } from '@mcpfed/mcp-runtime';
import { startWorker } from '@mcpfed/queue';
import type { Logger } from '@mcpfed/telemetry';
import type { ProductDatabase } from '../../store/product-database.ts';
import { ImportStore } from '../store/import-store.ts';
import { PRODUCT_IMPORT_QUEUE } from './import-queue.ts';
import type { ImportJobData, ImportQueue } from './import-queue.ts';
import { runImport } from './run-import.ts';
import type { ImportRunConfig } from './run-import.ts';

/** Who runs imports: price history rows name the import itself (`import:<id>`), so this id is only logged. */
const IMPORT_PRINCIPAL = systemPrincipal('product-import');

// The worker's own bookkeeping (requeue, failure, recovery) must happen even after a job's signal aborted.
const BOOKKEEPING = new AbortController().signal;

/** Collaborators of {@link startImportWorker}. */
export interface ImportWorkerDeps {
  db: Kysely<ProductDatabase>;
  /** A dedicated Redis connection (a worker blocks on it). */
  connection: Redis;
  /** BullMQ key prefix shared with the queue. */
  prefix: string;
  /** The import queue: start-up recovery makes sure every unfinished import has a job. */
  queue: ImportQueue;
  logger: Logger;
  run: ImportRunConfig;
  /** How long a job's lock lasts before another worker may take over a crashed worker's job, in milliseconds. Default 30000. */
  lockDurationMs?: number;
}

/** A running import worker. */
export interface ImportWorker {
  /** Stops after the batch being written (the job resumes from there later), then closes the worker. */
  close(): Promise<void>;
}

/**
 * Starts the catalog import worker (one import at a time per process) and re-enqueues imports that never
 * finished (their job lost with Redis, or failed past its retries while the row still says running).
 * On close, a running import stops between batches and goes back to `queued`; its job is retried by BullMQ
 * (here after a restart, or at once by another replica) and resumes after its last committed batch.
 */
export async function startImportWorker(deps: ImportWorkerDeps): Promise<ImportWorker> {
  let stopping = false;
  const handle = startWorker<ImportJobData>({
    queue: PRODUCT_IMPORT_QUEUE,
    prefix: deps.prefix,
    connection: deps.connection,
    logger: deps.logger,
    ...(deps.lockDurationMs === undefined ? {} : { lockDurationMs: deps.lockDurationMs }),
    process: async (job, signal) => {
      const id = job.data.import_id;
      const ctx = jobContext({ principal: IMPORT_PRINCIPAL, log: deps.logger, signal });
      const outcome = await runImport(deps.db, id, deps.run, { stopRequested: () => stopping }, ctx);
      deps.logger.info({ import_id: id, outcome }, 'catalog import run ended');
      if (outcome === 'interrupted') {
        await new ImportStore(deps.db, BOOKKEEPING).requeue(id);
        // A plain error: BullMQ keeps the job and retries it with backoff.
        throw new Error(`import ${id} interrupted by shutdown; it resumes after its last committed batch`);
      }
      return outcome;
    },
  });
  handle.worker.on('failed', (job, error) => {
    if (job === undefined || stopping) return;
    if (job.attemptsMade < (job.opts.attempts ?? 1) && error.name !== 'UnrecoverableError') return;
    void new ImportStore(deps.db, BOOKKEEPING)
      .finish(job.data.import_id, { status: 'failed', error: { code: 'INTERNAL', message: 'The import failed repeatedly; see the server log.' } })
      .catch((finishError: unknown) => deps.logger.warn({ err: finishError, import_id: job.data.import_id }, 'could not mark the import failed'));
  });
  try {
    for (const row of await new ImportStore(deps.db, BOOKKEEPING).unfinished()) await deps.queue.ensureJob(row.id);
  } catch (error) {
    deps.logger.warn({ err: error }, 'could not re-enqueue unfinished imports at start; they resume when product_import is called again');
  }
  return {
    async close() {
      stopping = true;
      await handle.close();
    },
  };
}
