/**
 * `npm run faults` as an operator runs it: the CLI (tools/fault-harness/src/main.ts) as a child process against a
 * real `npm start` stack that this file starts on a random port base, a private PostgreSQL cluster (restarted with
 * pg_ctl) and a private Redis (the only one it may flush). Each case runs a reduced set of faults and reads the
 * exit code and the JSON report, so neither the harness nor what it checks can rot.
 */
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarnessReport } from '../src/index.ts';
import { REPO_ROOT, startPrivateStack } from './fixtures/private-stack.ts';
import type { PrivateStack } from './fixtures/private-stack.ts';

let stack: PrivateStack | undefined;
let run = 0;

beforeAll(async () => {
  // The order server's breakers wait a minute before a trial call unless a readiness probe lets one through
  // sooner: a recovery within seconds can then only come from the probe, however slow the machine.
  // The checkout's payment authorizations count against the daily limit of whom the payment server sees: while the
  // order server calls it with a plain client-credentials token (the dev provider knows no acting-for parameter),
  // that is the order server for every caller, and a few runs' orders would exhaust one caller's limit.
  stack = await startPrivateStack('harness', { UPSTREAM_BREAKER_HALF_OPEN_MS: '60000', PAYMENT_DAILY_AUTHORIZATION_LIMIT_MINOR: '1000000000000000' });
}, 240_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

interface HarnessRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly report: HarnessReport | undefined;
}

/** Runs `npm run faults -- <args>` against the stack (its data dir and cluster) and reads its JSON report. */
async function harness(args: readonly string[]): Promise<HarnessRun> {
  const jsonFile = path.join(os.tmpdir(), `mcpfed-harness-${process.pid}-${++run}.json`);
  const argv = [
    path.join('tools', 'fault-harness', 'src', 'main.ts'),
    '--data-dir',
    (stack as PrivateStack).dataDir,
    '--pg-data-dir',
    (stack as PrivateStack).postgres.dataDir,
    '--warmup-ms',
    '2000',
    '--json',
    jsonFile,
    ...args,
  ];
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, argv, { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 560_000 }, (error, out, err) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout: out, stderr: err });
    });
  });
  const report = await readFile(jsonFile, 'utf8').then(
    (text) => JSON.parse(text) as HarnessReport,
    () => undefined,
  );
  await rm(jsonFile, { force: true });
  return { code, stdout, stderr, report };
}

/** The checks of a run that did not hold, as `fault: check: detail` lines (empty when all held). */
function failures(result: HarnessRun): string[] {
  return (result.report?.faults ?? []).flatMap((fault) =>
    fault.checks.filter((check) => !check.ok).map((check) => `${fault.name}: ${check.name}: ${check.detail}`),
  );
}

describe('npm run faults against a running stack', () => {
  it('refuses to flush Redis unless told explicitly, and flushes nothing', async () => {
    const redis = new Redis((stack as PrivateStack).redis.url, { maxRetriesPerRequest: 1 });
    try {
      await redis.set('fault-harness-test:marker', 'kept');
      const result = await harness(['--faults', 'redis-flush']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("redis-flush runs FLUSHDB on the stack's Redis database");
      expect(result.stderr).toContain('Pass --allow-redis-flush to agree');
      expect(await redis.get('fault-harness-test:marker')).toBe('kept');
    } finally {
      redis.disconnect();
    }
  });

  it('restarts PostgreSQL and kills the product server under load: recovers promptly and every invariant holds', async () => {
    const result = await harness(['--faults', 'pg-restart,server-kill', '--kill', 'product']);
    expect(failures(result), result.stdout + result.stderr.slice(-3000)).toEqual([]);
    expect(result.code).toBe(0);
    const [restart, kill] = result.report?.faults ?? [];
    expect(restart).toMatchObject({ name: 'pg-restart', status: 'done' });
    expect(kill).toMatchObject({ name: 'server-kill', status: 'done', detail: expect.stringMatching(/^SIGKILL to product \(pid \d+\); back as pid \d+$/) });
    expect(restart?.recovery?.allMs).toBeLessThan(5_000);
    // The order server's breaker for product opened while product was down; it must let checkouts through again
    // within a readiness probe of product's return, not after its half-open delay (60 s here).
    expect(kill?.recovery?.checkoutMs).toBeLessThan(10_000);
    expect(kill?.checks.map((check) => check.name)).toEqual([
      'recovered',
      'every checkout answered',
      'checkouts finished',
      'no oversell',
      'one order per idempotency key',
      'every acknowledged call present',
      'payment ledger balanced',
      'payments match orders',
      'projections caught up',
      'every server still audits',
    ]);
    expect(result.stdout).toMatch(/^pg-restart +\d+\.\d\d s +\d+\.\d\d s \/ \d+\.\d\d s +\d+\.\d % of \d+ +10\/10 held$/m);
    expect(result.stdout).toContain('every invariant held');
  }, 600_000);

  it("flushes the stack's Redis mid-run: no event and no checkout lost for good", async () => {
    const result = await harness(['--faults', 'redis-flush', '--allow-redis-flush']);
    expect(failures(result), result.stdout + result.stderr.slice(-3000)).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.report?.faults[0]).toMatchObject({ name: 'redis-flush', status: 'done', detail: expect.stringMatching(/^FLUSHDB of \d+ keys$/) });
  }, 600_000);

  // Runs last: on a server whose audit log a hostile byte silenced (issue 12.3 before its fix) it stays silenced.
  it('sends a hostile burst: every hostile request answered at once, other callers and the audit log unaffected', async () => {
    const result = await harness(['--faults', 'hostile', '--hostile-rate', '20', '--hostile-ms', '3000']);
    expect(failures(result), result.stdout + result.stderr.slice(-3000)).toEqual([]);
    expect(result.code).toBe(0);
  }, 600_000);
});
