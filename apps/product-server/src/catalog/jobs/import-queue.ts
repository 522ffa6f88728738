import type { Redis } from 'ioredis';
import { AppError } from '@mcpfed/errors';
import { createQueue } from '@mcpfed/queue';
import type { Queue } from '@mcpfed/queue';
import { isNetworkError, withDeadline } from '@mcpfed/resilience';
import type { Logger } from '@mcpfed/telemetry';

/** Name of the BullMQ queue of catalog imports. */
export const PRODUCT_IMPORT_QUEUE = 'product-import';

/** Data of one import job; the job id is the import id. */
export interface ImportJobData {
  import_id: string;
}

/** Settings of {@link createImportQueue}. */
export interface ImportQueueConfig {
  /** Redis connection (createRedisConnection of @mcpfed/queue); not closed by `close()`. */
  connection: Redis;
  /** BullMQ key prefix shared with the worker, e.g. `{mcpfed:product}` (tests use a random one). */
  prefix: string;
  /** Where the queue's `error` events go (a Redis outage, a failed command). */
  logger: Logger;
  /** How long ensureJob waits for Redis, in milliseconds. Default 2000. */
  timeoutMs?: number;
}

/** The import queue as the import tool and the worker's recovery use it. */
export interface ImportQueue {
  /** The underlying queue (queue metrics). */
  readonly queue: Queue<ImportJobData>;
  /**
   * Makes sure the import has a job: adds one with job id = import id (a no-op while one exists) and retries it
   * when it had failed. UPSTREAM_UNAVAILABLE when Redis does not answer.
   */
  ensureJob(importId: string): Promise<void>;
  /** Closes the queue (not the connection). */
  close(): Promise<void>;
}

/** The BullMQ queue of catalog imports. */
export function createImportQueue(config: ImportQueueConfig): ImportQueue {
  if (config.prefix.length === 0) throw new TypeError('createImportQueue: prefix must not be empty');
  const timeoutMs = config.timeoutMs ?? 2000;
  const queue = createQueue<ImportJobData>({ name: PRODUCT_IMPORT_QUEUE, prefix: config.prefix, connection: config.connection });
  // An 'error' event without a listener is thrown by the emitter. An outage is already logged once by the
  // connection (createRedisConnection), so its repeats stay at debug; anything else is worth a warning.
  queue.on('error', (error: Error) => {
    if (isNetworkError(error)) config.logger.debug({ err: error, queue: PRODUCT_IMPORT_QUEUE }, 'import queue error');
    else config.logger.warn({ err: error, queue: PRODUCT_IMPORT_QUEUE }, 'import queue error');
  });
  return Object.freeze({
    queue,
    async ensureJob(importId: string): Promise<void> {
      try {
        // The connection waits through Redis outages (BullMQ needs that for workers); a tool call must not.
        await withDeadline(timeoutMs, async () => {
          const job = await queue.add('import', { import_id: importId }, { jobId: importId });
          if ((await job.getState()) === 'failed') await job.retry('failed');
        });
      } catch (error) {
        throw new AppError(
          'UPSTREAM_UNAVAILABLE',
          'The import queue is unreachable; the import is recorded but not started. Call product_import again with the same idempotency key.',
          {
            cause: error,
          },
        );
      }
    },
    close: () => queue.close(),
  });
}
