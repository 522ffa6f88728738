import { Worker } from 'bullmq';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { optionSchemas, parseOptions } from '@mcpfed/errors';
import { z } from 'zod';
import { runWithRequestScope } from '@mcpfed/telemetry';
import type { Logger } from '@mcpfed/telemetry';
import { toJobError } from './job-error.ts';

/** Options of {@link startWorker}. */
export interface WorkerConfig<T> {
  /** Queue name. */
  queue: string;
  /** Key prefix shared with the queue (e.g. `{mcpfed:product}`: a hash tag keeps the queue's keys in one Redis Cluster slot; tests use a random one). */
  prefix: string;
  /** A dedicated connection (a worker blocks on it). */
  connection: Redis;
  /** Jobs processed at once by this process. Default 1. */
  concurrency?: number;
  /** Does the work; throw an AppError to fail (see `toJobError` for retry vs not). */
  process: (job: Job<T>, signal: AbortSignal) => Promise<unknown>;
  logger: Logger;
  /** How long a job's lock lasts before another worker may take it over (a crashed worker's job), in milliseconds. Default 30000. */
  lockDurationMs?: number;
}

/** A running worker. */
export interface WorkerHandle {
  readonly worker: Worker;
  /** Stops taking jobs and waits for the active ones to finish (graceful shutdown). */
  close(): Promise<void>;
}

const workerOptions = z.object({
  queue: optionSchemas.nonEmptyString(),
  prefix: z.string({ error: 'must be a string' }),
  connection: z.custom<Redis>((value) => typeof value === 'object' && value !== null, { error: 'must be a Redis connection' }),
  concurrency: optionSchemas.positiveInteger(1),
  process: z.custom<WorkerConfig<unknown>['process']>((value) => typeof value === 'function', { error: 'must be a function' }),
  logger: z.custom<Logger>((value) => typeof value === 'object' && value !== null, { error: 'must be a logger' }),
  lockDurationMs: optionSchemas.positiveInteger(30_000),
});

/**
 * Starts a BullMQ worker whose failures are classified (retryable or not) and logged with the job's id as the
 * request id. Active jobs get an AbortSignal that aborts when the worker is closed with force.
 *
 * @throws AppError VALIDATION_FAILED naming the first bad option.
 */
export function startWorker<T>(options: WorkerConfig<T>): WorkerHandle {
  const config = parseOptions('startWorker', workerOptions, options) as Readonly<Omit<WorkerConfig<T>, 'concurrency' | 'lockDurationMs'>> & {
    readonly concurrency: number;
    readonly lockDurationMs: number;
  };
  const controllers = new Set<AbortController>();
  const worker = new Worker<T>(
    config.queue,
    async (job) => {
      const controller = new AbortController();
      controllers.add(controller);
      try {
        return await runWithRequestScope({ requestId: `job:${config.queue}:${job.id ?? '?'}` }, () => config.process(job, controller.signal));
      } catch (error) {
        throw toJobError(error);
      } finally {
        controllers.delete(controller);
      }
    },
    {
      connection: config.connection,
      prefix: config.prefix,
      concurrency: config.concurrency,
      lockDuration: config.lockDurationMs,
    },
  );
  worker.on('failed', (job, error) => {
    config.logger.warn({ err: error, queue: config.queue, job_id: job?.id, attempts: job?.attemptsMade }, 'job failed');
  });
  worker.on('error', (error) => config.logger.warn({ err: error, queue: config.queue }, 'worker error'));
  return {
    worker,
    async close() {
      await worker.close();
      for (const controller of controllers) controller.abort();
    },
  };
}
