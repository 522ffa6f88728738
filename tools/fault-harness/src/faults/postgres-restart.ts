import { withClient } from '@mcpfed/db';
import { controlPostgresCluster } from '@mcpfed/testing';
import type { Fault, FaultContext, FaultWindow } from './fault.ts';
import { FaultSkipped } from './fault.ts';

/**
 * `pg-restart` (no outage) and `pg-outage` (stopped for `--outage-ms`): with a data directory (npm start's embedded
 * cluster, or `--pg-data-dir`) a `pg_ctl stop -m fast` + start, which terminates every session with 57P01 while
 * calls are in flight; with only `--pg-admin-url`, `pg-restart` terminates every session of the stack's databases
 * (`pg_terminate_backend`, as a failover does) and `pg-outage` is skipped.
 */
export function postgresRestart(outage: boolean): Fault {
  return {
    name: outage ? 'pg-outage' : 'pg-restart',
    description: outage
      ? 'PostgreSQL stopped (fast: sessions terminated mid-call) and started again after an outage'
      : 'PostgreSQL restarted (fast) under load, or every session of the stack terminated',
    async inject(context: FaultContext): Promise<FaultWindow> {
      const { target, settings } = context;
      if (target.pgDataDir !== undefined) {
        const cluster = controlPostgresCluster({ dataDir: target.pgDataDir, ...(settings.pgBinDir === undefined ? {} : { binDir: settings.pgBinDir }) });
        const outageMs = outage ? settings.outageMs : 0;
        context.log(`pg_ctl stop -m fast of ${target.pgDataDir}${outageMs > 0 ? `, ${outageMs / 1000} s outage` : ''}, start`);
        const { downAt, upAt } = await cluster.restart({ outageMs });
        return { startedAt: downAt, endedAt: upAt, detail: `pg_ctl restart (fast) of ${target.pgDataDir}, down ${((upAt - downAt) / 1000).toFixed(1)} s` };
      }
      if (outage || target.pgAdminUrl === undefined) {
        throw new FaultSkipped(
          outage ? 'an outage needs a cluster to stop: --pg-data-dir (npm start: its embedded PostgreSQL)' : 'needs --pg-data-dir or --pg-admin-url',
        );
      }
      const databases = Object.values(target.databaseUrls).map((url) => decodeURIComponent(new URL(url).pathname.slice(1)));
      const startedAt = Date.now();
      const terminated = await withClient(
        target.pgAdminUrl,
        async (client) =>
          (
            await client.query<{ n: number }>(
              'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()',
              [databases],
            )
          ).rows[0]?.n ?? 0,
        { applicationName: 'mcpfed-fault-harness' },
      );
      return { startedAt, endedAt: Date.now(), detail: `pg_terminate_backend of ${terminated} sessions of ${databases.join(', ')}` };
    },
  };
}
