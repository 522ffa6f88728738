import { setTimeout as sleep } from 'node:timers/promises';
import type { Job, Queue } from 'bullmq';
import { QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@mcpfed/errors';
import { createLogger, createMetrics } from '@mcpfed/telemetry';
import { randomKeyPrefix, testServiceUrl } from '@mcpfed/testing';
import { createQueue, createRedisConnection, registerQueueMetrics, startWorker } from '../src/index.ts';
import type { WorkerHandle } from '../src/index.ts';

const logger = createLogger({ name: 'queue-test', level: 'silent' });
// Hash-tagged like the apps' defaults ({mcpfed:order}): every key of every queue under it shares one Redis Cluster slot.
const tag = randomKeyPrefix('queue').replace(/:$/, '');
const prefix = `{${tag}}`;
const connections: Redis[] = [];
const workers: WorkerHandle[] = [];
const queues: Queue[] = [];

function connection(): Redis {
  const redis = createRedisConnection({ url: testServiceUrl('redisUrl'), name: 'queue-test', logger });
  connections.push(redis);
  return redis;
}

function queue<T>(name: string): Queue<T> {
  const q = createQueue<T>({ name, prefix, connection: connection(), defaultJobOptions: { backoff: { type: 'fixed', delay: 20 } } });
  queues.push(q as Queue);
  return q;
}

async function finished(q: Queue, job: Job): Promise<{ state: string; job: Job | undefined }> {
  const events = new QueueEvents(q.name, { connection: connection(), prefix });
  await events.waitUntilReady();
  try {
    await job.waitUntilFinished(events, 10_000).catch(() => undefined);
  } finally {
    await events.close();
  }
  const fresh = await q.getJob(job.id as string);
  return { state: (await fresh?.getState()) ?? 'missing', job: fresh };
}

afterAll(async () => {
  for (const w of workers) await w.close();
  for (const q of queues) {
    await q.obliterate({ force: true });
    await q.close();
  }
  for (const c of connections) c.disconnect();
});

describe('workers', () => {
  let q: Queue<{ kind: string; n: number }>;
  const attempts = new Map<string, number>();
  beforeAll(() => {
    q = queue('work');
    workers.push(
      startWorker<{ kind: string; n: number }>({
        queue: 'work',
        prefix,
        connection: connection(),
        concurrency: 4,
        logger,
        process: async (job) => {
          const seen = (attempts.get(job.id as string) ?? 0) + 1;
          attempts.set(job.id as string, seen);
          if (job.data.kind === 'business') throw new AppError('PRECONDITION_FAILED', 'customer is blocked');
          if (job.data.kind === 'flaky' && seen < 3) throw new AppError('UPSTREAM_UNAVAILABLE', 'payment server down');
          if (job.data.kind === 'slow') await sleep(300);
          return job.data.n * 2;
        },
      }),
    );
  });

  it('returns the processor result', async () => {
    const job = await q.add('ok', { kind: 'ok', n: 21 });
    const { state, job: done } = await finished(q, job);
    expect(state).toBe('completed');
    expect(done?.returnvalue).toBe(42);
  });

  it('fails a business error at once, without retries', async () => {
    const job = await q.add('business', { kind: 'business', n: 0 }, { attempts: 5 });
    const { state, job: done } = await finished(q, job);
    expect(state).toBe('failed');
    expect(attempts.get(job.id as string)).toBe(1);
    expect(done?.failedReason).toBe('PRECONDITION_FAILED: customer is blocked');
  });

  it('retries a transient error with backoff until it succeeds', async () => {
    const job = await q.add('flaky', { kind: 'flaky', n: 5 }, { attempts: 5 });
    const { state, job: done } = await finished(q, job);
    expect(state).toBe('completed');
    expect(attempts.get(job.id as string)).toBe(3);
    expect(done?.returnvalue).toBe(10);
  });

  it('enqueues a deterministic job id once', async () => {
    const a = await q.add('ok', { kind: 'ok', n: 1 }, { jobId: 'order-123' });
    const b = await q.add('ok', { kind: 'ok', n: 2 }, { jobId: 'order-123' });
    expect(b.id).toBe(a.id);
    await finished(q, a);
    expect(attempts.get('order-123')).toBe(1);
  });
});

describe('keys on Redis Cluster', () => {
  it("every key the queues, workers and events wrote carries the prefix's hash tag: one slot, as BullMQ's scripts need", async () => {
    const redis = connection();
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `*${tag}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    // The workers' tests above left completed, failed and retried jobs, their events streams and the meta keys.
    expect(keys.length).toBeGreaterThan(5);
    const hashTag = (key: string): string | undefined => /^[^{]*\{([^}]+)\}/.exec(key)?.[1];
    expect(keys.filter((key) => !key.startsWith(`${prefix}:`) || hashTag(key) !== tag)).toEqual([]);
  });
});

describe('graceful close', () => {
  it('waits for the active job before resolving', async () => {
    const q = queue<{ kind: string; n: number }>('drain');
    let completed = 0;
    const handle = startWorker<{ kind: string; n: number }>({
      queue: 'drain',
      prefix,
      connection: connection(),
      logger,
      process: async () => {
        await sleep(300);
        completed++;
        return 'done';
      },
    });
    await q.add('slow', { kind: 'slow', n: 0 });
    await sleep(100);
    await handle.close();
    expect(completed).toBe(1);
  });
});

describe('metrics', () => {
  it('reports queue depth by state on scrape', async () => {
    const q = queue<{ n: number }>('depth');
    await q.add('a', { n: 1 });
    await q.add('b', { n: 2 }, { delay: 60_000 });
    const metrics = createMetrics({ service: 'queue-test', collectDefault: false });
    registerQueueMetrics(metrics, q);
    const body = (await metrics.render()).body;
    expect(body).toContain('queue_jobs{queue="depth",state="waiting",service="queue-test"} 1');
    expect(body).toContain('queue_jobs{queue="depth",state="delayed",service="queue-test"} 1');
  });
});
