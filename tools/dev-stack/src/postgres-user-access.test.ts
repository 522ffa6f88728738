import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUserBlockedMessage, startEmbeddedPostgres } from './embedded-postgres.ts';
import { freePort } from './ports.ts';
import { firstFolderUnreachableBy } from './postgres-user-access.ts';
import type { UserIds } from './postgres-user-access.ts';

function postgresIds(): UserIds | undefined {
  try {
    return {
      uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
      gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
    };
  } catch {
    return undefined;
  }
}

// What `npm start` meets when root runs it from a 0700 home or temporary folder: the embedded PostgreSQL runs as
// the postgres user, who may not enter it. Only root can run PostgreSQL as another user, so only root can test it.
const ids = process.getuid?.() === 0 ? postgresIds() : undefined;

describe.skipIf(ids === undefined)('the embedded PostgreSQL under a folder the postgres user may not enter (as root)', () => {
  let closed: string;

  beforeAll(async () => {
    closed = await mkdtemp(path.join(tmpdir(), 'mcpfed-closed-'));
    await chmod(closed, 0o700);
    await mkdir(path.join(closed, 'checkout', '.data'), { recursive: true });
  });
  afterAll(() => rm(closed, { recursive: true, force: true }));

  it('names the first folder on the way that the user may not enter, and none once it may', async () => {
    const target = path.join(closed, 'checkout', '.data', 'postgres');
    expect(await firstFolderUnreachableBy(ids as UserIds, [tmpdir(), target])).toBe(closed);
    await chmod(closed, 0o711);
    try {
      expect(await firstFolderUnreachableBy(ids as UserIds, [target])).toBeUndefined();
    } finally {
      await chmod(closed, 0o700);
    }
  });

  it('makes npm start stop at once with one line saying why and what to do, instead of initdb failing with EACCES', async () => {
    const started = Date.now();
    const dataDir = path.join(closed, 'checkout', '.data', 'postgres');
    const attempt = startEmbeddedPostgres({ dataDir, port: await freePort(), databases: ['mcpfed_customer'], print: () => undefined });
    await expect(attempt).rejects.toThrow(postgresUserBlockedMessage(closed));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(postgresUserBlockedMessage(closed)).not.toContain('\n');
  });
});
