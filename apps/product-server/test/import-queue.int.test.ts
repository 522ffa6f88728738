import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createRedisConnection } from '@mcpfed/queue';
import { createLogger } from '@mcpfed/telemetry';
import { createTestRedis, freePort, uniqueId } from '@mcpfed/testing';
import type { TestRedis } from '@mcpfed/testing';
import { createImportQueue } from '../src/catalog/index.ts';
import type { ImportQueue } from '../src/catalog/index.ts';
import { eventually } from './catalog-fixtures.ts';

interface LogLine {
  level: string;
  msg: string;
  queue?: string;
  err?: { message: string };
}

function capturingLogger() {
  const lines: LogLine[] = [];
  const logger = createLogger({
    name: 'product-server',
    level: 'debug',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  });
  return { logger, lines };
}

describe('the import queue', () => {
  let redis: TestRedis;
  let connection: Redis;
  let queue: ImportQueue;

  beforeAll(async () => {
    redis = await createTestRedis({ label: 'product-import-queue' });
    connection = createRedisConnection({ url: redis.url, name: 'product-test', logger: createLogger({ name: 'product-server', level: 'silent' }) });
    queue = createImportQueue({ connection, prefix: redis.prefix.replace(/:$/, ''), logger: capturingLogger().logger });
  });

  afterAll(async () => {
    await queue?.queue.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    connection?.disconnect();
    await redis?.cleanup();
  });

  it('adds one job per import, with the import id as job id, however often it is ensured', async () => {
    const id = uniqueId('imp');
    await queue.ensureJob(id);
    await queue.ensureJob(id);
    const jobs = await queue.queue.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
    expect(jobs.map((job) => [job.id, job.data])).toEqual([[id, { import_id: id }]]);
  });
});

describe('the import queue while Redis is unreachable', () => {
  it('answers UPSTREAM_UNAVAILABLE within its deadline and logs the queue errors instead of throwing them', async () => {
    const { logger, lines } = capturingLogger();
    const connection = createRedisConnection({
      url: `redis://127.0.0.1:${await freePort()}`,
      name: 'product-test-down',
      logger: createLogger({ name: 'product-server', level: 'silent' }),
    });
    const queue = createImportQueue({ connection, prefix: `test:${uniqueId('down')}`, logger, timeoutMs: 200 });
    try {
      const refused = queue.ensureJob('imp_unreachable');
      await expect(refused).rejects.toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        message: 'The import queue is unreachable; the import is recorded but not started. Call product_import again with the same idempotency key.',
        cause: { code: 'TIMEOUT', details: { deadline_ms: 200 } },
      });
      // Refused connections reach the queue as 'error' events: an outage the connection itself already reported.
      await eventually(async () => (lines.some((line) => line.msg === 'import queue error') ? true : undefined), 10_000);
      const queueErrors = lines.filter((line) => line.msg === 'import queue error');
      expect(queueErrors[0]).toMatchObject({ level: 'debug', queue: 'product-import', err: { message: expect.stringContaining('ECONNREFUSED') } });
      // Any other error is a warning.
      queue.queue.emit('error', new Error('NOSCRIPT No matching script'));
      expect(lines.at(-1)).toMatchObject({
        level: 'warn',
        msg: 'import queue error',
        queue: 'product-import',
        err: { message: 'NOSCRIPT No matching script' },
      });
    } finally {
      connection.disconnect();
      await queue.close().catch(() => undefined);
    }
  });
});
