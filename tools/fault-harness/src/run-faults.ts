import { setTimeout as sleep } from 'node:timers/promises';
import { withClient } from '@mcpfed/db';
import { checkStillAudits } from './audit-check.ts';
import type { Fault, FaultWindow } from './faults/fault.ts';
import { FaultSkipped } from './faults/fault.ts';
import { hostileBurst } from './faults/hostile-burst.ts';
import { postgresRestart } from './faults/postgres-restart.ts';
import { redisFlush } from './faults/redis-flush.ts';
import { serverKill } from './faults/server-kill.ts';
import type { FaultName, HarnessSettings } from './harness-settings.ts';
import {
  checkAcknowledgedPresent,
  checkCheckoutsFinished,
  checkCheckoutsFinishedWithin,
  checkLedgerBalanced,
  checkNoOversell,
  checkOneOrderPerKey,
  checkPaymentsMatchOrders,
  checkProjectionCaughtUp,
} from './invariants.ts';
import type { InvariantResult } from './invariants.ts';
import { LoadDriver } from './load-driver.ts';
import type { CallRecord } from './load-driver.ts';
import type { StackTarget } from './stack-target.ts';

/** Calls of the load within a period. */
export interface CallStats {
  readonly calls: number;
  readonly failed: number;
  /** failed / calls, 0 without calls. */
  readonly errorRate: number;
  /** Failures by code. */
  readonly codes: Readonly<Record<string, number>>;
}

/** What happened in one fault. */
export interface FaultReport {
  readonly name: FaultName;
  readonly description: string;
  /** `skipped` when this stack does not allow the fault (the reason is in `detail`). */
  readonly status: 'done' | 'skipped';
  readonly detail: string;
  /** How long the fault itself lasted (start to end), in milliseconds. */
  readonly faultMs?: number;
  /**
   * From the end of the fault to the first successful calls started after it began, in milliseconds: reads (the last
   * of the read tools to answer again: every domain through the router), checkouts (confirmed), and both (the later
   * of the two). Undefined: not recovered within the timeout.
   */
  readonly recovery?: { readonly readMs?: number; readonly checkoutMs?: number; readonly allMs?: number };
  /** The load's calls from the start of the fault to its recovery. */
  readonly during?: CallStats;
  /** Invariants checked afterwards, and the fault's own checks. */
  readonly checks: readonly InvariantResult[];
}

/** The whole run. */
export interface HarnessReport {
  readonly routerMcpUrl: string;
  /** The load before the first fault. */
  readonly baseline: CallStats;
  readonly faults: readonly FaultReport[];
  /** Every check held and every fault that ran recovered. */
  readonly ok: boolean;
}

const FAULTS: Readonly<Record<FaultName, Fault>> = {
  'pg-restart': postgresRestart(false),
  'pg-outage': postgresRestart(true),
  'server-kill': serverKill,
  'redis-flush': redisFlush,
  hostile: hostileBurst,
};

/** Runs the load and every fault of `settings` against `target`, checking the invariants after each. */
export async function runFaults(settings: HarnessSettings, target: StackTarget, log: (line: string) => void): Promise<HarnessReport> {
  const { customers, skus } = await loadFixtures(target);
  const load = new LoadDriver({ url: target.routerMcpUrl, tokens: target.workerTokens, customers, skus });
  const reports: FaultReport[] = [];
  load.start();
  const warmupStart = Date.now();
  try {
    await sleep(settings.warmupMs);
    const baseline = stats(load.records, warmupStart, Date.now());
    // Recovery means every domain answers again through the router: each read tool the load used successfully.
    const readTools = [...new Set(load.records.filter((record) => record.kind === 'read' && record.ok).map((record) => record.tool))];
    log(`baseline: ${baseline.calls} calls in ${(settings.warmupMs / 1000).toFixed(0)} s, ${(baseline.errorRate * 100).toFixed(1)} % failed`);
    for (const name of settings.faults) {
      const fault = FAULTS[name];
      log(`fault ${name}: ${fault.description}`);
      let window: FaultWindow;
      try {
        window = await fault.inject({ target, settings, log: (line) => log(`  ${line}`) });
      } catch (error) {
        if (!(error instanceof FaultSkipped)) throw error;
        log(`  skipped: ${error.message}`);
        reports.push({ name, description: fault.description, status: 'skipped', detail: error.message, checks: [] });
        continue;
      }
      const recovery = await waitForRecovery(load.records, readTools, window, settings.recoverTimeoutMs);
      const recoveredAt = recovery.allMs === undefined ? Date.now() : window.endedAt + recovery.allMs;
      const during = stats(load.records, window.startedAt, recoveredAt);
      const checks: InvariantResult[] = [
        { name: 'recovered', ok: recovery.allMs !== undefined, detail: describeRecovery(recovery, settings.recoverTimeoutMs) },
        ...(window.checks ?? []),
      ];
      if (name === 'hostile') checks.push(unaffected(baseline, during));
      if (window.checkoutsWithinMs !== undefined) {
        checks.push(await checkCheckoutsFinishedWithin(target.databaseUrls, load.keyPrefix, window.endedAt, window.checkoutsWithinMs));
      }
      await load.pause();
      const unanswered = await load.settle(Date.now() + settings.settleMs);
      checks.push(...(await invariants(target, load, settings, unanswered)));
      load.resume();
      reports.push({
        name,
        description: fault.description,
        status: 'done',
        detail: window.detail,
        faultMs: window.endedAt - window.startedAt,
        recovery,
        during,
        checks,
      });
      for (const check of checks) log(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
    }
    return {
      routerMcpUrl: target.routerMcpUrl,
      baseline,
      faults: reports,
      ok: reports.every((report) => report.checks.every((check) => check.ok)),
    };
  } finally {
    await load.stop();
  }
}

async function invariants(target: StackTarget, load: LoadDriver, settings: HarnessSettings, unanswered: readonly string[]): Promise<InvariantResult[]> {
  const acknowledged = [...load.acknowledged.values()];
  const databases = target.databaseUrls;
  return [
    {
      name: 'every checkout answered',
      ok: unanswered.length === 0,
      detail:
        unanswered.length === 0 ? 'every checkout whose answer was lost got one when sent again with its key' : `${unanswered.length} keys never answered`,
    },
    await checkCheckoutsFinished(databases, load.keyPrefix, settings.settleMs),
    await checkNoOversell(databases),
    await checkOneOrderPerKey(databases, acknowledged),
    await checkAcknowledgedPresent(databases, acknowledged),
    await checkLedgerBalanced(databases),
    await checkPaymentsMatchOrders(databases),
    await checkProjectionCaughtUp(databases, settings.settleMs),
    await checkStillAudits(target.routerMcpUrl, target.token, databases),
  ];
}

/**
 * Polls the load's records until, among calls started after the fault began, each of `readTools` and a confirmed
 * checkout have succeeded after it ended. `readMs` is the latest of the read tools' first successes.
 */
async function waitForRecovery(
  records: readonly CallRecord[],
  readTools: readonly string[],
  window: FaultWindow,
  timeoutMs: number,
): Promise<NonNullable<FaultReport['recovery']>> {
  const deadline = window.endedAt + timeoutMs;
  const first = (matches: (record: CallRecord) => boolean): number | undefined => {
    let best: number | undefined;
    for (const record of records) {
      if (!record.ok || !matches(record)) continue;
      if (record.startedAt < window.startedAt || record.endedAt < window.endedAt) continue;
      best = Math.min(best ?? Infinity, record.endedAt - window.endedAt);
    }
    return best;
  };
  const latest = (values: ReadonlyArray<number | undefined>): number | undefined =>
    values.length === 0 || values.some((value) => value === undefined) ? undefined : Math.max(...(values as number[]));
  for (;;) {
    const readMs = latest(readTools.map((tool) => first((record) => record.kind === 'read' && record.tool === tool)));
    const checkoutMs = first((record) => record.kind === 'checkout' && record.confirmed);
    if ((readMs !== undefined && checkoutMs !== undefined) || Date.now() >= deadline) {
      return {
        ...(readMs === undefined ? {} : { readMs }),
        ...(checkoutMs === undefined ? {} : { checkoutMs }),
        ...(readMs === undefined || checkoutMs === undefined ? {} : { allMs: Math.max(readMs, checkoutMs) }),
      };
    }
    await sleep(100);
  }
}

function describeRecovery(recovery: NonNullable<FaultReport['recovery']>, timeoutMs: number): string {
  const s = (ms: number | undefined): string => (ms === undefined ? `none within ${timeoutMs / 1000} s` : `${(ms / 1000).toFixed(2)} s`);
  return `every read tool ${s(recovery.readMs)}, first confirmed checkout ${s(recovery.checkoutMs)} after the fault ended`;
}

/** The load's success while hostile requests flow: no worse than before the faults (one point of slack). */
function unaffected(baseline: CallStats, during: CallStats): InvariantResult {
  return {
    name: 'other callers unaffected',
    ok: during.errorRate <= baseline.errorRate + 0.01,
    detail: `${(during.errorRate * 100).toFixed(1)} % of ${during.calls} load calls failed during the burst (baseline ${(baseline.errorRate * 100).toFixed(1)} %)`,
  };
}

/** Calls that ended within [from, to]. */
export function stats(records: readonly CallRecord[], from: number, to: number): CallStats {
  let calls = 0;
  let failed = 0;
  const codes: Record<string, number> = {};
  for (const record of records) {
    if (record.endedAt < from || record.endedAt > to) continue;
    calls += 1;
    if (record.ok) continue;
    failed += 1;
    const code = record.code ?? 'UNKNOWN';
    codes[code] = (codes[code] ?? 0) + 1;
  }
  return { calls, failed, errorRate: calls === 0 ? 0 : failed / calls, codes };
}

/** Customers that may buy and well-stocked SKUs, read from the stack's databases. */
export async function loadFixtures(target: StackTarget): Promise<{ customers: string[]; skus: string[] }> {
  const app = { applicationName: 'mcpfed-fault-harness' };
  const customers = await withClient(
    target.databaseUrls.customer,
    async (client) =>
      (
        await client.query<{ id: string }>(
          `SELECT c.id FROM customers c WHERE c.status = 'active'
              AND EXISTS (SELECT 1 FROM addresses a WHERE a.customer_id = c.id AND a.kind = 'shipping' AND a.is_default)
            ORDER BY c.id LIMIT 200`,
        )
      ).rows.map((row) => row.id),
    app,
  );
  const skus = await withClient(
    target.databaseUrls.product,
    async (client) =>
      (
        await client.query<{ sku: string }>(
          `SELECT l.sku FROM inventory_levels l JOIN products p ON p.sku = l.sku
            WHERE p.status = 'active' AND p.currency = 'EUR'
            GROUP BY l.sku HAVING sum(l.available) > 100 ORDER BY sum(l.available) DESC, l.sku LIMIT 50`,
        )
      ).rows.map((row) => row.sku),
    app,
  );
  if (customers.length === 0 || skus.length === 0)
    throw new Error('the stack has no active customer with a shipping address or no stocked EUR product: seed it first');
  return { customers, skus };
}
