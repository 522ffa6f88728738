/**
 * `npm run test:containers`: the proof that the images work. Starts a private Docker engine, builds the five app
 * images from deploy/docker/Dockerfile, runs them with the production settings against a private PostgreSQL and
 * Redis and the dev token issuer, waits for their HEALTHCHECKs, places an order through the containerised router
 * with the MCP SDK client, checks that every container runs as a non-root user on a read-only root filesystem and
 * exits 0 on SIGTERM within the grace period, and removes everything it made, the engine included.
 * Needs root (dockerd), Debian's docker.io, PostgreSQL server binaries and redis-server; debootstrap when the
 * official Node image cannot be pulled. Exit codes: 0 passed, 1 failed, 2 cannot run here.
 * Settings: CONTAINERS_TIMEOUT_MS (overall limit, default 1800000), DEBIAN_MIRROR, DOCKER_CLI, PG_BIN_DIR.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SCOPES } from '@mcpfed/contract-common';
import { parseDockerfile } from '../dockerfile-stages.ts';
import { REPO_ROOT } from '../repo-root.ts';
import { runCommand } from '../run-command.ts';
import { APPS, GRACE_PERIOD_MS, containerLogs, inspectIdentity, productionSettings, runMigration, startApp, terminate } from './app-containers.ts';
import type { AppEnvironment, AppName } from './app-containers.ts';
import { startBackingServices } from './backing-services.ts';
import { CannotRunHereError } from './cannot-run-here-error.ts';
import { formatReport } from './container-report.ts';
import type { ContainerReport } from './container-report.ts';
import { lastLines, startPrivateDockerEngine } from './docker-engine.ts';
import type { DockerEngine } from './docker-engine.ts';
import { unmountBelow } from './host-process.ts';
import { bridgeAddresses } from './network-addresses.ts';
import { provideNodeBaseImage } from './node-base-image.ts';
import { placeOrderThroughRouter } from './order-through-router.ts';
import { startTokenIssuer } from './token-issuer.ts';

const TIMEOUT_MS = Number(process.env['CONTAINERS_TIMEOUT_MS'] ?? 30 * 60_000);
const HEALTHY_TIMEOUT_MS = 120_000;
const BUILD_TIMEOUT_MS = 20 * 60_000;
/** The check acts as shop staff: an unbound principal with every scope (creating a customer needs one). */
const USER_SCOPES: readonly string[] = SCOPES;

const log = (line: string): void => {
  process.stdout.write(`[containers ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
};
const startedAt = Date.now();

const missing = await prerequisites();
if (missing.length > 0) {
  process.stderr.write(`test:containers cannot run here: ${missing.join('; ')}\n`);
  process.exit(2);
}

const dir = await mkdtemp(path.join(tmpdir(), 'mcpfed-containers-'));
const runId = `mcpfed-check-${randomBytes(3).toString('hex')}`;
const report: ContainerReport = { images: [], coldStarts: [], identities: [], stops: [], migrations: [] };
/** Undo steps, run last-in first-out whatever happens. */
const cleanups: Array<{ what: string; run: () => Promise<void> }> = [];
let step = 'starting';

let failure: unknown;
let timer: NodeJS.Timeout | undefined;
const giveUp = new AbortController();
const interrupted = new Promise<never>((_, reject) => {
  const stop = (reason: string) => {
    reject(new Error(reason));
    giveUp.abort();
  };
  timer = setTimeout(() => stop(`timed out after ${TIMEOUT_MS / 1000} s while ${step}`), TIMEOUT_MS);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop(`${signal} received while ${step}`));
});
const proving = prove();
try {
  await Promise.race([proving, interrupted]);
} catch (error) {
  failure = error;
} finally {
  clearTimeout(timer);
  // After giving up, the running step's commands were killed and later ones fail at once: let it end before cleaning up.
  await Promise.race([proving.catch(() => undefined), sleep(30_000, undefined, { ref: false })]);
  step = 'cleaning up';
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup.run();
    } catch (error) {
      report.leftBehind = [...(report.leftBehind ?? []), `${cleanup.what}: ${error instanceof Error ? error.message : String(error)}`];
    }
  }
  await unmountBelow(dir);
  try {
    await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 500 });
  } catch (error) {
    report.leftBehind = [...(report.leftBehind ?? []), `${dir}: ${error instanceof Error ? error.message : String(error)}`];
  }
}
report.wallMs = Date.now() - startedAt;
process.stdout.write(`\n${formatReport(report)}\n`);
if (failure instanceof CannotRunHereError) {
  process.stderr.write(`\ntest:containers cannot run here: ${failure.message}\n`);
  process.exitCode = 2;
} else if (failure !== undefined) {
  process.stderr.write(`\ntest:containers FAILED: ${failure instanceof Error ? failure.message : String(failure)}\n`);
  process.exitCode = 1;
} else if ((report.leftBehind ?? []).length > 0) {
  process.stderr.write('\ntest:containers FAILED: the cleanup left something behind\n');
  process.exitCode = 1;
} else {
  process.stdout.write('\ntest:containers passed\n');
}
// A step abandoned by a timeout may still hold a timer or a socket: the report is out, nothing is left to wait for.
process.exit();

async function prove(): Promise<void> {
  step = 'starting the private Docker engine';
  const engine = await startPrivateDockerEngine({ dir: path.join(dir, 'engine'), namespace: runId, log, signal: giveUp.signal });
  report.engine = `Docker ${engine.version}, storage driver ${engine.storageDriver}`;
  cleanups.push({ what: 'the private Docker engine', run: () => engine.stop() });
  cleanups.push({ what: 'containers, networks, volumes and images', run: () => removeEverything(engine) });

  step = 'providing the Node base image';
  const dockerfile = path.join(REPO_ROOT, 'deploy', 'docker', 'Dockerfile');
  const officialImage = parseDockerfile(await readFile(dockerfile, 'utf8')).globalArgs['NODE_IMAGE'] ?? 'node:24-bookworm-slim';
  const base = await provideNodeBaseImage({ engine, officialImage, workDir: dir, log, signal: giveUp.signal });
  report.base = base.description;
  log(`base image: ${base.description}`);

  const images = {} as Record<AppName, string>;
  for (const app of APPS) {
    step = `building ${app.name}`;
    images[app.name] = `mcpfed/${app.name}:${runId}`;
    const started = Date.now();
    // --network host: the private engine makes no NAT rules, so the build's npm ci reaches the registry through the host.
    const build = await engine.run(
      [
        'build',
        '--network',
        'host',
        '-f',
        dockerfile,
        '--build-arg',
        `APP=${app.name}`,
        '--build-arg',
        `NODE_IMAGE=${base.image}`,
        '-t',
        images[app.name],
        REPO_ROOT,
      ],
      { timeoutMs: BUILD_TIMEOUT_MS },
    );
    if (build.code !== 0) throw new Error(`docker build of ${app.name} failed: ${lastLines(build.stderr || build.stdout, 20)}`);
    const bytes = Number(await engine.ok(['image', 'inspect', '-f', '{{.Size}}', images[app.name]]));
    report.images.push({ app: app.name, bytes, buildMs: Date.now() - started });
    log(`built ${images[app.name]} (${(bytes / 1e6).toFixed(0)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  step = 'creating the network';
  const network = await bridgeAddresses(
    engine,
    runId,
    APPS.map((app) => app.name),
  );
  log(`network ${runId}: ${network.subnet}, gateway ${network.gateway}`);

  step = 'starting PostgreSQL and Redis';
  const backing = await startBackingServices({
    host: network.gateway,
    subnet: network.subnet,
    dir,
    domains: APPS.flatMap((app) => (app.domain === undefined ? [] : [app.domain])),
    log,
  });
  cleanups.push({ what: 'PostgreSQL and Redis', run: () => backing.stop() });

  step = 'starting the dev token issuer';
  const issuer = await startTokenIssuer({ host: network.gateway, dir, log });
  cleanups.push({ what: 'the dev token issuer', run: () => issuer.stop() });

  const env: AppEnvironment = {
    network: runId,
    ips: network.ips as Record<AppName, string>,
    databaseUrls: Object.fromEntries(Object.entries(backing.databases).map(([domain, database]) => [domain, database.url])),
    redisUrl: backing.redisUrl,
    issuerEnv: issuer.serverEnv,
    clientSecrets: issuer.clientSecrets,
    images,
    dir,
    runId,
  };
  const settings = Object.fromEntries(APPS.map((app) => [app.name, productionSettings(app, env)])) as Record<AppName, Record<string, string>>;

  for (const app of APPS.filter((candidate) => candidate.domain !== undefined)) {
    step = `migrating ${app.name}`;
    const ms = await runMigration(engine, app, env, settings[app.name]);
    report.migrations.push({ app: app.name, ms });
    log(`${app.name} migrate exited 0 in ${(ms / 1000).toFixed(1)} s`);
  }
  for (const app of APPS) {
    step = `starting ${app.name}`;
    const cold = await startApp(engine, app, env, settings[app.name], HEALTHY_TIMEOUT_MS);
    report.coldStarts.push({ app: app.name, ...cold });
    log(`${app.name} up: /healthz 200 after ${(cold.healthzMs / 1000).toFixed(1)} s, Docker healthy after ${(cold.healthyMs / 1000).toFixed(1)} s`);
  }

  step = 'checking users and filesystems';
  for (const app of APPS) {
    const identity = await inspectIdentity(engine, env, app.name);
    report.identities.push({ app: app.name, ...identity });
    const command = identity.pid1Command.join(' ');
    if (identity.pid1Uid === 0 || identity.rootfsWrite !== 'EROFS' || identity.tmpWrite !== 'none' || command !== 'node dist/main.js serve') {
      throw new Error(
        `${app.name}: PID 1 is "${command}" as uid ${identity.pid1Uid}; writing to the root filesystem gave ${identity.rootfsWrite}, to /tmp ${identity.tmpWrite}`,
      );
    }
  }

  step = 'placing an order through the router';
  const token = await issuer.mintUserToken('container-check', USER_SCOPES);
  const order = await placeOrderThroughRouter(`http://${network.ips['router']}:8080/mcp`, token);
  report.order = order;
  log(
    `order ${order.orderId} ${order.status}, payment ${order.paymentStatus} ${order.amountCaptured} ${order.currency}; order_place took ${(order.placeMs / 1000).toFixed(2)} s`,
  );

  // The router first, the domain servers last: the reverse of the start order, as a rollout drains them.
  for (const app of [...APPS].reverse()) {
    step = `stopping ${app.name}`;
    const stopped = await terminate(engine, env, app.name);
    report.stops.push({ app: app.name, ...stopped });
    log(`${app.name} exited ${stopped.exitCode} ${(stopped.ms / 1000).toFixed(1)} s after SIGTERM`);
    // Within the grace period but slow: show what it waited for.
    if (stopped.ms > 5000) log(`${app.name}'s last lines: ${lastLines(await containerLogs(engine, env, app.name, 6), 6)}`);
    if (stopped.exitCode !== 0) throw new Error(`${app.name} exited ${stopped.exitCode} after SIGTERM (expected 0 within ${GRACE_PERIOD_MS / 1000} s)`);
  }
}

/**
 * Removes every container, network, volume and image of the private engine and records anything that stays. The
 * build cache goes with the engine's data root, removed after the engine stopped (pruning it first only costs time).
 */
async function removeEverything(engine: DockerEngine): Promise<void> {
  const cleanup = { cleanup: true, timeoutMs: 120_000 };
  const ids = async (args: readonly string[]) =>
    (await engine.run(args, cleanup)).stdout
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
  const containers = await ids(['ps', '-aq']);
  if (containers.length > 0) await engine.run(['rm', '-f', '-v', ...containers], cleanup);
  const networks = await ids(['network', 'ls', '-q', '--filter', 'type=custom']);
  if (networks.length > 0) await engine.run(['network', 'rm', ...networks], cleanup);
  await engine.run(['volume', 'prune', '-f'], cleanup);
  const images = await ids(['images', '-aq']);
  if (images.length > 0) await engine.run(['rmi', '-f', ...new Set(images)], cleanup);
  const left = [
    ...(await ids(['ps', '-aq'])).map((id) => `container ${id}`),
    ...(await ids(['network', 'ls', '-q', '--filter', 'type=custom'])).map((id) => `network ${id}`),
    ...(await ids(['volume', 'ls', '-q'])).map((id) => `volume ${id}`),
    ...(await ids(['images', '-aq'])).map((id) => `image ${id}`),
  ];
  report.removed = true;
  if (left.length > 0) report.leftBehind = [...(report.leftBehind ?? []), ...left];
}

/** What this machine lacks to run the check (empty when it can). */
async function prerequisites(): Promise<string[]> {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('it starts its own dockerd and must run as root');
  for (const [command, args, hint] of [
    ['dockerd', ['--version'], 'no dockerd (apt-get install docker.io)'],
    ['redis-server', ['--version'], 'no redis-server (apt-get install redis-server)'],
    ['runuser', ['--help'], 'no runuser (util-linux)'],
  ] as const) {
    if ((await runCommand(command, args, { timeoutMs: 10_000 })).code !== 0) missing.push(hint);
  }
  return missing;
}
