/**
 * `npm run bench`: measures every scenario of SCENARIOS against a server started for it, in one run, and reports
 * req/s, p50, p99, errors and the ratio to the baseline measured in the same run, with pass/fail against the
 * targets of docs/architecture.md §10. See BENCH_USAGE for flags and environment.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BENCH_USAGE, parseBenchArgs } from './bench-args.ts';
import { BenchContext } from './bench-context.ts';
import { errorCount, measure } from './measure.ts';
import { catalogReport } from '@mcpfed/catalog-report';
import type { ReportRow } from '@mcpfed/catalog-report';
import { renderSpread, renderTable, verdicts } from './report.ts';
import type { RunResult } from './report.ts';
import { SCENARIOS } from './scenarios/index.ts';
import type { PreparedScenario, RunningTarget, Scenario } from './scenarios/index.ts';

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const log = (line: string): void => void process.stderr.write(`${line}\n`);

const args = parseBenchArgs(process.argv.slice(2));
if (args.kind === 'help') {
  process.stdout.write(`${BENCH_USAGE}\n`);
  process.exit(0);
}
if (args.kind === 'error') {
  process.stderr.write(`bench: ${args.message}\n\n${BENCH_USAGE}\n`);
  process.exit(2);
}
const options = args.options;

let selected: Scenario[];
try {
  selected = selectScenarios(options.scenarios);
} catch (error) {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}

const workDir = await mkdtemp(path.join(os.tmpdir(), 'mcpfed-bench-'));
const context = new BenchContext({
  repoRoot,
  adminUrl: process.env['BENCH_DATABASE_URL'] || DEFAULT_DATABASE_URL,
  redisUrl: process.env['REDIS_URL'] || DEFAULT_REDIS_URL,
  workDir,
  seedCount: options.seedCount,
  productCount: options.productCount,
  logLevel: process.env['LOG_LEVEL'] || 'info',
});
const running = new Set<RunningTarget>();
let interrupted = false;

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    log(`\nbench: ${signal}: stopping servers and dropping the scratch database…`);
    void (async () => {
      await Promise.all([...running].map((target) => target.stop()));
      await context.cleanup();
      process.exit(130);
    })();
  });
}

let exitCode = 1;
try {
  exitCode = await bench();
} catch (error) {
  if (!interrupted) log(`bench failed: ${error instanceof Error ? error.message : String(error)}\n(logs in ${workDir})`);
} finally {
  if (!interrupted) {
    await Promise.all([...running].map((target) => target.stop()));
    await context.cleanup();
    if (exitCode === 0) await rm(workDir, { recursive: true, force: true });
    process.exit(exitCode);
  }
}

async function bench(): Promise<number> {
  log(
    `bench: ${selected.map((scenario) => scenario.name).join(', ')}; ${options.connections} connections, ` +
      `${options.warmupSeconds} s warm-up + ${options.durationSeconds} s, ${options.runs} run(s); seeding ${options.seedCount} customers`,
  );
  const prepared = new Map<string, PreparedScenario>();
  for (const scenario of selected) {
    log(`bench: preparing ${scenario.name}…`);
    prepared.set(scenario.name, await scenario.prepare(context));
  }

  const results: RunResult[] = [];
  for (let run = 1; run <= options.runs; run++) {
    for (const scenario of selected) {
      const ready = prepared.get(scenario.name);
      if (ready === undefined) continue;
      const target = await ready.start(run);
      running.add(target);
      try {
        log(`bench: run ${run}: ${scenario.name} (${target.url})…`);
        const measurement = await measure(target.url, ready, {
          connections: scenario.connections ?? options.connections,
          durationSeconds: options.durationSeconds,
          warmupSeconds: options.warmupSeconds,
          cpuSeconds: target.cpuSeconds?.bind(target),
        });
        results.push({ run, scenario, measurement });
        if (errorCount(measurement) > 0) {
          log(
            `bench: ${scenario.name} run ${run}: ${measurement.non2xx} non-2xx, ${measurement.invalid} invalid, ` +
              `${measurement.transport} connection errors/timeouts. Examples:`,
          );
          for (const sample of measurement.samples) log(`    ${sample}`);
          log(`  last server output:\n${target.tail()}`);
        }
      } finally {
        await target.stop();
        running.delete(target);
      }
    }
  }

  const out: string[] = ['', renderTable(results)];
  if (options.runs > 1) out.push('', `spread over ${options.runs} runs:`, renderSpread(results));
  out.push('');
  const outcome = verdicts(results);
  for (const verdict of outcome) out.push(`${verdict.outcome.padEnd(7)} ${verdict.scenario}: ${verdict.reason}`);
  out.push(catalogLine());
  process.stdout.write(`${out.join('\n')}\n`);
  return outcome.every((verdict) => verdict.outcome === 'PASS' || verdict.outcome === 'INFO') ? 0 : 1;
}

/** One line of what the router's catalog costs a model (`npm run catalog-report` has the rest). */
function catalogLine(): string {
  const rows = catalogReport();
  const all = rows[0] as ReportRow;
  const presets = rows.filter((row) => row.label.startsWith('role '));
  const largest = Math.max(...presets.map((row) => row.figures.tokens.cl100k));
  return `INFO    catalog: all scopes at /mcp ${all.figures.tools} tools, ${all.figures.tokens.cl100k} cl100k tokens; role presets at most ${Math.max(...presets.map((row) => row.figures.tools))} tools, ${largest} tokens`;
}

function selectScenarios(names: readonly string[] | undefined): Scenario[] {
  if (names === undefined) return [...SCENARIOS];
  const unknown = names.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    throw new Error(`unknown scenario(s): ${unknown.join(', ')} (known: ${SCENARIOS.map((scenario) => scenario.name).join(', ')})`);
  }
  // Keep registry order, and bring in what a chosen scenario is compared to, and what that is compared to
  // (router_customer_get -> customer_get -> baseline), so every ratio has its reference in the same run.
  const wanted = new Set(names);
  const pending = [...names];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    const reference = SCENARIOS.find((scenario) => scenario.name === name)?.comparedTo;
    if (reference !== undefined && !wanted.has(reference)) {
      wanted.add(reference);
      pending.push(reference);
    }
  }
  return SCENARIOS.filter((scenario) => wanted.has(scenario.name));
}
