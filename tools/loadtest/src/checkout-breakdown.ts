/**
 * Where a checkout's time goes: `node tools/loadtest/src/checkout-breakdown.ts [--duration 10] [--connections 32]
 * [--warmup 3] [--cpu-prof <dir>]`. Starts the order_place bench's federation (customer, product and payment servers,
 * then an order server), loads order_place, waits until every checkout ended, and reports per confirmed checkout:
 * CPU seconds of each process (their /metrics), database round trips, statements and transactions per database
 * (counted by a PostgreSQL wire-protocol proxy in front of each server: pg_stat_statements is not preloaded here),
 * upstream calls as the order server sees them against the upstream's own handling time, and the saga job's time
 * queued vs working (BullMQ's event stream). With --cpu-prof every server writes a V8 CPU profile into <dir>; with
 * --statements the order server's statements per checkout are listed by their text.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { withClient } from '@mcpfed/db';
import { Redis } from 'ioredis';
import { BenchContext } from './bench-context.ts';
import type { BenchApp } from './bench-context.ts';
import { countsDelta, PgCounter } from './checkout-breakdown-pg.ts';
import type { PgCounts } from './checkout-breakdown-pg.ts';
import { cpuSeconds, histogramByLabel, metricsDelta, queueTimes, scrapeMetrics } from './checkout-breakdown-stats.ts';
import type { MetricSamples } from './checkout-breakdown-stats.ts';
import { appMain } from './fixtures/app-database.ts';
import { orderFederation, orderPlaceRequests } from './fixtures/order-federation.ts';
import { errorCount, measure } from './measure.ts';
import { mcpHeaders } from './scenarios/scenario.ts';
import type { PreparedScenario } from './scenarios/scenario.ts';
import { startMcpTarget } from './scenarios/start-target.ts';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    warmup: { type: 'string', default: '3' },
    'cpu-prof': { type: 'string' },
    statements: { type: 'boolean', default: false },
  },
});
const durationSeconds = Number(flags.duration);
const connections = Number(flags.connections);
const warmupSeconds = Number(flags.warmup);
const profileDir = flags['cpu-prof'] === undefined ? undefined : path.resolve(flags['cpu-prof']);
const log = (line: string): void => void process.stderr.write(`${line}\n`);
type Server = 'order' | 'customer' | 'product' | 'payment';
const SERVERS: readonly Server[] = ['order', 'customer', 'product', 'payment'];

const workDir = await mkdtemp(path.join(os.tmpdir(), 'mcpfed-breakdown-'));
const context = new BenchContext({
  repoRoot: path.resolve(import.meta.dirname, '..', '..', '..'),
  adminUrl: process.env['BENCH_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env['REDIS_URL'] || 'redis://127.0.0.1:6379',
  workDir,
  seedCount: 2000,
  logLevel: process.env['LOG_LEVEL'] || 'info',
});
const counters = new Map<Server, PgCounter>();
const profileEnv = (name: string): Record<string, string> =>
  profileDir === undefined ? {} : { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir} --cpu-prof-name=${name}.${Date.now()}.cpuprofile` };
let code = 1;
try {
  if (profileDir !== undefined) await mkdir(profileDir, { recursive: true });
  code = await breakdown();
} catch (error) {
  log(`checkout-breakdown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n(logs in ${workDir})`);
} finally {
  await context.cleanup();
  for (const counter of counters.values()) await counter.close();
  if (code === 0) await rm(workDir, { recursive: true, force: true });
  process.exit(code);
}

async function breakdown(): Promise<number> {
  log(`checkout-breakdown: ${connections} connections, ${warmupSeconds} s warm-up + ${durationSeconds} s; preparing the federation…`);
  const fixture = await orderFederation(context, {
    databaseUrl: async (app: BenchApp, url: string) => {
      const { counter, url: proxied } = await PgCounter.start(url);
      counters.set(app.replace('-server', '') as Server, counter);
      return proxied;
    },
    serverEnv: (app) => profileEnv(app),
  });
  const target = await startMcpTarget(context, {
    name: 'order-server',
    run: 1,
    args: [appMain('order-server'), 'serve'],
    env: (port) => ({ ...fixture.orderEnv(port), ...profileEnv('order-server') }),
    readyPath: '/readyz',
  });
  context.defer(() => target.stop());
  const bases: Record<Server, string> = { order: target.url.replace(/\/mcp$/, ''), ...fixture.upstreamUrls };
  const scenario: PreparedScenario = { headers: mcpHeaders(fixture.token), requests: orderPlaceRequests(fixture), start: () => Promise.resolve(target) };
  const redis = new Redis(context.settings.redisUrl, { maxRetriesPerRequest: 1 });
  context.defer(async () => void redis.disconnect());
  const eventsKey = `${fixture.orderEnv(0)['QUEUE_PREFIX']}:order-checkout:events`;

  if (warmupSeconds > 0) {
    log('checkout-breakdown: warm-up…');
    await measure(target.url, scenario, { connections, durationSeconds: warmupSeconds, warmupSeconds: 0 });
  }
  await drained(fixture.databaseUrls.order);
  const before = await snapshot(bases, fixture.databaseUrls);
  const textsBefore = new Map(counters.get('order')?.texts ?? []);
  log('checkout-breakdown: measuring…');
  const measurement = await measure(target.url, scenario, { connections, durationSeconds, warmupSeconds: 0 });
  await drained(fixture.databaseUrls.order);
  const after = await snapshot(bases, fixture.databaseUrls);
  const queue = await queueTimes(redis, eventsKey, before.at, after.at);

  const orders = after.completed - before.completed;
  const failed = after.failed - before.failed;
  const per = (value: number): string => (orders === 0 ? '-' : (value / orders).toFixed(2));
  const ms = (value: number): string => `${value.toFixed(1)} ms`;
  const out: string[] = [];
  out.push(
    `order_place: ${measurement.requestsPerSecond.toFixed(1)} orders/s, p50 ${ms(measurement.p50Ms)}, p95 ${ms(measurement.p95Ms)}, p99 ${ms(measurement.p99Ms)}, ` +
      `${errorCount(measurement)} errors; ${orders} checkouts completed, ${failed} failed between the snapshots (${connections} connections, ${durationSeconds} s)`,
  );
  out.push(
    '',
    'per completed checkout:',
    '| process | CPU ms | its PostgreSQL backends CPU ms | DB round trips | statements | transactions (explicit + single) | new DB connections |',
    '|---|---|---|---|---|---|---|',
  );
  for (const server of SERVERS) {
    const cpu = cpuSeconds(metricsDelta(before.metrics[server], after.metrics[server]));
    const db = before.db[server] && after.db[server] ? countsDelta(before.db[server], after.db[server]) : undefined;
    out.push(
      `| ${server}-server | ${per(cpu * 1000)} | ${per(backendDelta(before.backends[server], after.backends[server]))} | ${db ? per(db.roundTrips) : '-'} | ${db ? per(db.statements) : '-'} | ` +
        `${db ? `${per(db.begins + db.autocommits)} (${per(db.begins)} + ${per(db.autocommits)})` : '-'} | ${db ? per(db.connections) : '-'} |`,
    );
  }
  out.push(`| bench process (load generator, dev OIDC provider, DB proxies) | ${per((after.self - before.self) / 1000)} | | | | | |`);
  out.push('', 'upstream calls per checkout, as the order server sees them vs the upstream handling them:');
  out.push('| upstream tool | calls | order-server side mean | upstream side mean (tool handler) |', '|---|---|---|---|');
  const seen = histogramByLabel(metricsDelta(before.metrics.order, after.metrics.order), 'federation_call_duration_seconds', 'tool');
  const handled = new Map<string, { count: number; meanMs: number }>();
  for (const server of ['customer', 'product', 'payment'] as const) {
    for (const [tool, stat] of histogramByLabel(metricsDelta(before.metrics[server], after.metrics[server]), 'mcp_tool_duration_seconds', 'tool'))
      handled.set(tool, stat);
  }
  for (const [tool, stat] of [...seen].sort()) {
    out.push(`| ${tool} | ${per(stat.count)} | ${ms(stat.meanMs)} | ${handled.has(tool) ? ms(handled.get(tool)?.meanMs ?? 0) : '-'} |`);
  }
  if (flags.statements) {
    const before = textsBefore;
    const texts = [...(counters.get('order')?.texts ?? [])].map(([text, n]) => [text, n - (before.get(text) ?? 0)] as const).filter(([, n]) => n > 0);
    out.push('', 'order-server statements per checkout, by text:');
    for (const [text, n] of texts.sort((a, b) => b[1] - a[1]).slice(0, 30)) out.push(`${per(n).padStart(6)}  ${text.replace(/\s+/g, ' ')}`);
  }
  const placed = histogramByLabel(metricsDelta(before.metrics.order, after.metrics.order), 'mcp_tool_duration_seconds', 'tool').get('order_place');
  out.push('', 'saga job (BullMQ event stream: added -> active -> completed):');
  out.push(
    `jobs ${queue.jobs}; queued mean ${ms(queue.queuedMs.mean)} (p50 ${ms(queue.queuedMs.p50)}, p99 ${ms(queue.queuedMs.p99)}); ` +
      `working mean ${ms(queue.workingMs.mean)} (p50 ${ms(queue.workingMs.p50)}, p99 ${ms(queue.workingMs.p99)}); runs per job ${queue.runsPerJob.toFixed(2)}`,
  );
  if (placed !== undefined) {
    out.push(`order_place handler mean ${ms(placed.meanMs)} over ${placed.count} calls (calls cut off when the load stopped count with their time so far)`);
  }
  if (profileDir !== undefined) out.push('', `CPU profiles are written to ${profileDir} when the servers stop.`);
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

interface Snapshot {
  at: number;
  self: number;
  completed: number;
  failed: number;
  metrics: Record<Server, MetricSamples>;
  db: Partial<Record<Server, PgCounts>>;
  /** CPU milliseconds so far of each PostgreSQL backend (by pid) connected to each server's database. */
  backends: Record<Server, Map<number, number>>;
}

/** utime + stime of a process in milliseconds (/proc/<pid>/stat, clock ticks of 10 ms); undefined when it is gone. */
async function processCpuMs(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function backendCpu(adminUrl: string, databaseUrls: Record<Server, string>): Promise<Record<Server, Map<number, number>>> {
  const names = SERVERS.map((server) => decodeURIComponent(new URL(databaseUrls[server]).pathname.slice(1)));
  const rows = await withClient(
    adminUrl,
    async (db) => (await db.query<{ pid: number; datname: string }>('SELECT pid, datname FROM pg_stat_activity WHERE datname = ANY($1)', [names])).rows,
    { applicationName: 'mcpfed-breakdown' },
  );
  const out = Object.fromEntries(SERVERS.map((server) => [server, new Map<number, number>()])) as Record<Server, Map<number, number>>;
  for (const row of rows) {
    const cpu = await processCpuMs(row.pid);
    const server = SERVERS[names.indexOf(row.datname)];
    if (cpu !== undefined && server !== undefined) out[server].set(row.pid, cpu);
  }
  return out;
}

/** CPU milliseconds the backends of `after` used since `before` (a backend new since then counts from 0). */
function backendDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, cpu] of after) sum += cpu - (before.get(pid) ?? 0);
  return sum;
}

async function snapshot(bases: Record<Server, string>, databaseUrls: Record<Server, string>): Promise<Snapshot> {
  const scraped = await Promise.all(SERVERS.map((server) => scrapeMetrics(bases[server])));
  const counts = await sagaCounts(databaseUrls.order);
  const backends = await backendCpu(context.settings.adminUrl, databaseUrls);
  const usage = process.cpuUsage();
  return {
    at: Date.now(),
    self: usage.user + usage.system,
    ...counts,
    backends,
    metrics: Object.fromEntries(SERVERS.map((server, index) => [server, scraped[index] as MetricSamples])) as Record<Server, MetricSamples>,
    db: Object.fromEntries([...counters].map(([server, counter]) => [server, counter.snapshot()])),
  };
}

async function sagaCounts(url: string): Promise<{ completed: number; failed: number; open: number }> {
  return withClient(
    url,
    async (db) => {
      const { rows } = await db.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM checkout_sagas GROUP BY status');
      const of = (status: string): number => Number(rows.find((row) => row.status === status)?.n ?? 0);
      return { completed: of('completed'), failed: of('failed'), open: of('running') + of('compensating') };
    },
    { applicationName: 'mcpfed-breakdown' },
  );
}

/** Waits until no checkout is running or compensating (at most 60 s), so every counted cost belongs to ended checkouts. */
async function drained(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await sagaCounts(url)).open > 0) {
    if (Date.now() > deadline) throw new Error('checkouts still open 60 s after the load stopped');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
