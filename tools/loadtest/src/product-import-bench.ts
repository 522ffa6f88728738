/**
 * `node tools/loadtest/src/product-import-bench.ts [--rows 200000] [--format jsonl|csv] [--parallel-batches N]`: the catalog import's
 * throughput through the real path. Creates a scratch database (migrated by the product server), writes a
 * generated file of N products (`generate-import`), starts `product-server serve`, calls product_import over HTTP
 * with a bearer token and polls product_import_status until the job ends. Prints rows/s from the job's own
 * started_at/finished_at and from the wall clock; exits 0 when the job completed at >= 20000 rows/s. `--parallel-batches`
 * sets the server's PRODUCT_IMPORT_PARALLEL_BATCHES (default: the server's own, 3); 1 writes one batch at a time.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BenchContext } from './bench-context.ts';
import { appDatabase } from './fixtures/app-database.ts';
import { PRODUCT_SERVER_MAIN, productServerEnv } from './fixtures/product-database.ts';
import { mcpHeaders, toolCallBody } from './scenarios/scenario.ts';
import { startMcpTarget } from './scenarios/start-target.ts';

/** The target for a catalog import, rows per second. */
const TARGET_ROWS_PER_SECOND = 20_000;

interface ImportJob {
  id: string;
  status: string;
  rows_read: number;
  rows_ok: number;
  rows_failed: number;
  started_at: string | null;
  finished_at: string | null;
  error: unknown;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const { values } = parseArgs({
  options: { rows: { type: 'string', default: '200000' }, format: { type: 'string', default: 'jsonl' }, 'parallel-batches': { type: 'string' } },
});
const rows = Number(values.rows);
const format = values.format;
const parallelBatches = values['parallel-batches'];
if (
  !Number.isSafeInteger(rows) ||
  rows < 1 ||
  (format !== 'jsonl' && format !== 'csv') ||
  (parallelBatches !== undefined && !/^[1-9]\d?$/.test(parallelBatches))
) {
  log('usage: node tools/loadtest/src/product-import-bench.ts [--rows 200000] [--format jsonl|csv] [--parallel-batches 1-99]');
  process.exit(2);
}

const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const workDir = await mkdtemp(path.join(os.tmpdir(), 'mcpfed-import-bench-'));
const context = new BenchContext({
  repoRoot,
  adminUrl: process.env['BENCH_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env['REDIS_URL'] || 'redis://127.0.0.1:6379',
  workDir,
  seedCount: 0,
  logLevel: process.env['LOG_LEVEL'] || 'info',
});

let exitCode = 1;
try {
  exitCode = await bench();
} catch (error) {
  log(`import bench failed: ${error instanceof Error ? error.message : String(error)} (logs in ${workDir})`);
} finally {
  await context.cleanup();
  if (exitCode === 0) await rm(workDir, { recursive: true, force: true });
}
process.exit(exitCode);

async function bench(): Promise<number> {
  log(`import bench: migrating and writing ${rows} generated rows (${format})…`);
  const file = `bench.${format}`;
  const database = await appDatabase(context, {
    app: 'product-server',
    label: 'product_import',
    env: (databaseUrl) => productServerEnv(context, { databaseUrl, port: 8083 }),
    commands: [['migrate'], ['generate-import', '--count', String(rows), '--format', format, '--out', file]],
  });
  const target = await startMcpTarget(context, {
    name: 'product-server',
    run: 1,
    args: [PRODUCT_SERVER_MAIN, 'serve'],
    env: async (port) => ({
      ...(await productServerEnv(context, { databaseUrl: database.url, port })),
      ...(parallelBatches === undefined ? {} : { PRODUCT_IMPORT_PARALLEL_BATCHES: parallelBatches }),
    }),
    readyPath: '/readyz',
  });
  context.defer(() => target.stop());
  const headers = mcpHeaders(await (await context.issuer()).token(['product:read', 'product:write'], 'product-server'));
  const startedWall = performance.now();
  let job = (
    await callTool<{ import: ImportJob }>(target.url, headers, 'product_import', { source: { path: file }, format, idempotency_key: `bench-${randomUUID()}` })
  ).import;
  log(`import bench: import ${job.id} started`);
  while (job.status === 'queued' || job.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 500));
    job = (await callTool<{ import: ImportJob }>(target.url, headers, 'product_import_status', { id: job.id, errors_limit: 0 })).import;
  }
  const wallSeconds = (performance.now() - startedWall) / 1000;
  if (job.status !== 'completed' || job.started_at === null || job.finished_at === null) {
    log(`import bench: the import ended ${job.status}: ${JSON.stringify(job.error)}`);
    return 1;
  }
  const jobSeconds = (Date.parse(job.finished_at) - Date.parse(job.started_at)) / 1000;
  const rate = job.rows_read / jobSeconds;
  const verdict = rate >= TARGET_ROWS_PER_SECOND ? 'PASS' : 'FAIL';
  process.stdout.write(
    `product_import: ${job.rows_read} rows (${job.rows_ok} ok, ${job.rows_failed} failed) in ${jobSeconds.toFixed(1)} s = ` +
      `${Math.round(rate)} rows/s (wall clock from the call: ${wallSeconds.toFixed(1)} s = ${Math.round(job.rows_read / wallSeconds)} rows/s)\n` +
      `${verdict}    product_import: ${Math.round(rate)} rows/s (target >= ${TARGET_ROWS_PER_SECOND})\n`,
  );
  return verdict === 'PASS' ? 0 : 1;
}

async function callTool<T>(url: string, headers: Readonly<Record<string, string>>, name: string, args: Record<string, unknown>): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers, body: toolCallBody(1, name, args) });
  const text = await response.text();
  const body = JSON.parse(text) as { result?: { structuredContent?: T; isError?: boolean } };
  if (!response.ok || body.result?.structuredContent === undefined || body.result.isError === true)
    throw new Error(`${name} failed: HTTP ${response.status} ${text.slice(0, 300)}`);
  return body.result.structuredContent;
}
