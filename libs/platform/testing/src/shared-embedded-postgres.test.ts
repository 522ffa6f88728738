import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSharedEmbeddedPostgres } from './shared-embedded-postgres.ts';

function hasPostgresUser(): boolean {
  try {
    execFileSync('id', ['-u', 'postgres']);
    return true;
  } catch {
    return false;
  }
}

// Only root runs the embedded server as another user, so only root meets (and can test) a folder closed to it.
describe.skipIf(process.getuid?.() !== 0 || !hasPostgresUser())('the embedded test PostgreSQL under a folder the postgres user may not enter (as root)', () => {
  let closed: string;

  beforeAll(async () => {
    closed = await mkdtemp(path.join(tmpdir(), 'mcpfed-closed-'));
    await chmod(closed, 0o700);
  });
  afterAll(() => rm(closed, { recursive: true, force: true }));

  it('fails at once naming the folder and what to do, instead of initdb failing with EACCES', async () => {
    const started = Date.now();
    const attempt = startSharedEmbeddedPostgres(path.join(closed, 'checkout', '.data'), async () => false);
    await expect(attempt).rejects.toThrow(
      `The embedded test PostgreSQL runs as the system user postgres (PostgreSQL refuses root), which may not enter ${closed}: ` +
        `run the tests as a normal user, from a checkout in a folder other users may enter (or chmod o+x ${closed}), or set TEST_DATABASE_URL.`,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
