import { Queue } from 'bullmq';
import type { DefaultJobOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { optionSchemas, parseOptions } from '@mcpfed/errors';
import { z } from 'zod';

/** Options of {@link createQueue}. */
export interface QueueConfig {
  /** Queue name, e.g. `product-import`. */
  name: string;
  /** Key prefix (e.g. `{mcpfed:product}`: a hash tag keeps the queue's keys in one Redis Cluster slot; tests use a random one). */
  prefix: string;
  connection: Redis;
  /** Job defaults; see {@link DEFAULT_JOB_OPTIONS}. */
  defaultJobOptions?: DefaultJobOptions;
}

/**
 * Job defaults: 8 attempts with exponential backoff from 500 ms (BullMQ adds jitter when `jitter` is set), and
 * finished jobs kept for a while for inspection rather than forever.
 */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = Object.freeze({
  attempts: 8,
  backoff: { type: 'exponential', delay: 500, jitter: 0.5 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
});

const queueOptions = z.object({
  name: optionSchemas.nonEmptyString(),
  prefix: z.string({ error: 'must be a string' }),
  connection: z.custom<Redis>((value) => typeof value === 'object' && value !== null, { error: 'must be a Redis connection' }),
  defaultJobOptions: z.custom<DefaultJobOptions>().optional(),
});

/**
 * A BullMQ queue with mcpfed's defaults. Give jobs a deterministic `jobId` to make enqueueing idempotent.
 *
 * @throws AppError VALIDATION_FAILED naming the first bad option.
 */
export function createQueue<T>(options: QueueConfig): Queue<T> {
  const config = parseOptions('createQueue', queueOptions, options);
  return new Queue<T>(config.name, {
    connection: config.connection,
    prefix: config.prefix,
    defaultJobOptions: { ...DEFAULT_JOB_OPTIONS, ...config.defaultJobOptions },
  });
}
