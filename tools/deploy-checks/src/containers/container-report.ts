import type { ContainerIdentity } from './app-containers.ts';

/** Everything `npm run test:containers` measured, for the closing report. */
export interface ContainerReport {
  engine?: string;
  base?: string;
  images: Array<{ app: string; bytes: number; buildMs: number }>;
  migrations: Array<{ app: string; ms: number }>;
  coldStarts: Array<{ app: string; healthzMs: number; healthyMs: number }>;
  identities: Array<{ app: string } & ContainerIdentity>;
  order?: {
    orderId: string;
    status: string;
    total: number;
    currency: string;
    paymentStatus: string;
    amountCaptured: number;
    placeMs: number;
    toolCount: number;
  };
  stops: Array<{ app: string; exitCode: number; ms: number }>;
  /** Set once the engine was emptied. */
  removed?: boolean;
  /** What the cleanup could not remove. */
  leftBehind?: string[];
  wallMs?: number;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The report as plain text: one table per part, then the order and the cleanup. */
export function formatReport(report: ContainerReport): string {
  const lines: string[] = ['=== test:containers report'];
  if (report.engine !== undefined) lines.push(`engine: ${report.engine}`);
  if (report.base !== undefined) lines.push(`base:   ${report.base}`);
  const rows = new Map<string, string[]>();
  const row = (app: string) => rows.get(app) ?? (rows.set(app, []).get(app) as string[]);
  for (const image of report.images) row(image.app).push(`${(image.bytes / 1e6).toFixed(0)} MB`.padStart(8), seconds(image.buildMs).padStart(8));
  for (const cold of report.coldStarts) row(cold.app).push(seconds(cold.healthzMs).padStart(9), seconds(cold.healthyMs).padStart(9));
  for (const identity of report.identities) row(identity.app).push(`  uid ${identity.pid1Uid}, rootfs ${identity.rootfsWrite}`.padStart(24));
  for (const stop of report.stops) row(stop.app).push(`exit ${stop.exitCode} in ${seconds(stop.ms)}`.padStart(18));
  if (rows.size > 0) {
    lines.push(
      '',
      `${'app'.padEnd(16)}${'image'.padStart(8)}${'build'.padStart(8)}${'/healthz'.padStart(9)}${'healthy'.padStart(9)}${'user, root fs'.padStart(24)}${'SIGTERM'.padStart(18)}`,
    );
    for (const [app, cells] of rows) lines.push(`${app.padEnd(16)}${cells.join('')}`);
    lines.push("(/healthz: container start to the first 200; healthy: to Docker's HEALTHCHECK status, first probed after its 10 s interval)");
  }
  if (report.migrations.length > 0) lines.push(`migrations: ${report.migrations.map((migration) => `${migration.app} ${seconds(migration.ms)}`).join(', ')}`);
  if (report.order !== undefined) {
    const order = report.order;
    lines.push(
      `order: ${order.orderId} ${order.status} through the router (${order.toolCount} tools listed), ${order.total} ${order.currency}, payment ${order.paymentStatus} ${order.amountCaptured}; order_place ${(order.placeMs / 1000).toFixed(2)} s`,
    );
  }
  lines.push(
    `cleanup: ${report.removed === true ? 'every container, network, volume and image removed, engine stopped' : 'incomplete'}${(report.leftBehind ?? []).length > 0 ? `; left behind: ${(report.leftBehind ?? []).join(', ')}` : ''}`,
  );
  if (report.wallMs !== undefined) lines.push(`wall time: ${seconds(report.wallMs)}`);
  return lines.join('\n');
}
