import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pingRedis, resolveRedis } from './redis.ts';
import { freePort } from './ports.ts';
import { Supervisor } from './supervisor.ts';

const supervisor = new Supervisor({ print: () => {}, ansi: false, nameWidth: 8 });

describe('resolveRedis', () => {
  let dataDir = '';
  let closedPort = 0;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'dev-stack-redis-'));
    closedPort = await freePort();
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('uses REDIS_URL as given without starting anything', async () => {
    const redis = await resolveRedis({ redisUrl: 'redis://example.invalid:6390', dataDir, supervisor });
    expect(redis).toMatchObject({ url: 'redis://example.invalid:6390', source: 'env' });
  });

  it('uses a Redis that answers PING on the local port', async () => {
    const redis = await resolveRedis({ redisUrl: undefined, dataDir, supervisor, local: { host: '127.0.0.1', port: 6379 } });
    expect(redis).toMatchObject({ url: 'redis://127.0.0.1:6379', source: 'local' });
  });

  it('says what to do when nothing answers and redis-server is not on PATH', async () => {
    await expect(resolveRedis({ redisUrl: undefined, dataDir, supervisor, searchPath: '', local: { host: '127.0.0.1', port: closedPort } })).rejects.toThrow(
      `Redis is not available: nothing answers PING on 127.0.0.1:${closedPort} and redis-server is not on PATH. ` + 'Install and start Redis',
    );
  });

  it('starts redis-server from PATH when nothing answers, and stops it', async () => {
    const spawnPort = await freePort();
    const redis = await resolveRedis({
      redisUrl: undefined,
      dataDir,
      supervisor,
      local: { host: '127.0.0.1', port: closedPort },
      spawnPort,
    });
    expect(redis).toMatchObject({ url: `redis://127.0.0.1:${spawnPort}`, source: 'spawned' });
    expect(await pingRedis('127.0.0.1', spawnPort)).toBe(true);
    await redis.stop();
    expect(await pingRedis('127.0.0.1', spawnPort)).toBe(false);
  });
});

describe('pingRedis', () => {
  it('is false for a server that is not Redis', async () => {
    const impostor = net.createServer((socket) => socket.end('-ERR not redis\r\n'));
    await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
    try {
      expect(await pingRedis('127.0.0.1', (impostor.address() as net.AddressInfo).port)).toBe(false);
    } finally {
      impostor.close();
    }
  });
});
