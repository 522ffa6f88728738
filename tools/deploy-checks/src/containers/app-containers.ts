import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT } from '../repo-root.ts';
import type { DockerEngine } from './docker-engine.ts';
import { lastLines } from './docker-engine.ts';

/** The five apps in start order: the domain servers, the order server that calls them, the router in front. */
export const APPS = [
  { name: 'customer-server', domain: 'customer', port: 8081 },
  { name: 'product-server', domain: 'product', port: 8083 },
  { name: 'payment-server', domain: 'payment', port: 8084 },
  { name: 'order-server', domain: 'order', port: 8082 },
  { name: 'router', domain: undefined, port: 8080 },
] as const;

/** One of {@link APPS}. */
export type AppName = (typeof APPS)[number]['name'];

/**
 * The public URL compose gives an app (`http://localhost:<port>`): its resource, the audience of the tokens it
 * accepts, is that URL's `/mcp`, as in docker-compose.yml and deploy/docker/compose-upstreams.json.
 */
export function publicUrlOf(app: (typeof APPS)[number]): string {
  return `http://localhost:${app.port}`;
}

/** The resource (AUTH_AUDIENCE) of an app: `<PUBLIC_URL>/mcp`. */
export function resourceOf(app: (typeof APPS)[number]): string {
  return `${publicUrlOf(app)}/mcp`;
}

/** The Kubernetes bases' terminationGracePeriodSeconds and compose's stop_grace_period: SIGTERM must end the process within it. */
export const GRACE_PERIOD_MS = 30_000;

/** What the apps are started against. */
export interface AppEnvironment {
  /** Docker network of the run. */
  readonly network: string;
  /** Fixed address of each app on that network (its Host check must admit the address the check calls it at). */
  readonly ips: Readonly<Record<AppName, string>>;
  /** DATABASE_URL per domain. */
  readonly databaseUrls: Readonly<Record<string, string>>;
  readonly redisUrl: string;
  /** AUTH_ISSUER, AUTH_JWKS_URL, AUTH_TOKEN_URL. */
  readonly issuerEnv: Readonly<Record<string, string>>;
  /** Client secrets by client id (`order-server`, `router`, `order-approvals`). */
  readonly clientSecrets: Readonly<Record<string, string>>;
  /** Image per app. */
  readonly images: Readonly<Record<AppName, string>>;
  /** Scratch folder (env files). */
  readonly dir: string;
  /** Label value that marks every container of this run. */
  readonly runId: string;
}

/** The production settings of one app: MCPFED_ENV=production and every secret its src/config.ts requires there. */
export function productionSettings(app: (typeof APPS)[number], env: AppEnvironment): Record<string, string> {
  const settings: Record<string, string> = {
    MCPFED_ENV: 'production',
    PORT: String(app.port),
    PUBLIC_URL: publicUrlOf(app),
    AUTH_AUDIENCE: resourceOf(app),
    // Other containers call it by its network alias, the check by its address, the HEALTHCHECK by 127.0.0.1.
    ALLOWED_HOSTS: ['localhost', '127.0.0.1', app.name, env.ips[app.name]].join(','),
    LOG_LEVEL: 'info',
    REDIS_URL: env.redisUrl,
    SHUTDOWN_TIMEOUT_MS: '20000',
    ...env.issuerEnv,
  };
  if (app.domain !== undefined) {
    Object.assign(settings, {
      DATABASE_URL: env.databaseUrls[app.domain] ?? '',
      SQL_READER_PASSWORD: randomBytes(18).toString('hex'),
      AUDIT_DIGEST_KEY: randomBytes(32).toString('hex'),
    });
  }
  if (app.name === 'product-server') settings['PRODUCT_IMPORT_DIR'] = '/data/imports';
  if (app.name === 'order-server') {
    Object.assign(settings, {
      CUSTOMER_MCP_URL: 'http://customer-server:8081/mcp',
      PRODUCT_MCP_URL: 'http://product-server:8083/mcp',
      PAYMENT_MCP_URL: 'http://payment-server:8084/mcp',
      // The upstreams' resources, as compose sets them: the containers call each other by name.
      CUSTOMER_MCP_AUDIENCE: resourceOf(appNamed('customer-server')),
      PRODUCT_MCP_AUDIENCE: resourceOf(appNamed('product-server')),
      PAYMENT_MCP_AUDIENCE: resourceOf(appNamed('payment-server')),
      SERVICE_CLIENT_ID: 'order-server',
      SERVICE_CLIENT_SECRET: env.clientSecrets['order-server'] ?? '',
      CALLER_TOKEN_KEY: randomBytes(32).toString('base64'),
      APPROVAL_CLIENT_SECRET: env.clientSecrets['order-approvals'] ?? '',
    });
  }
  if (app.name === 'router') {
    Object.assign(settings, {
      ROUTER_UPSTREAMS: '/etc/mcpfed/upstreams.json',
      SERVICE_CLIENT_ID: 'router',
      SERVICE_CLIENT_SECRET: env.clientSecrets['router'] ?? '',
    });
  }
  return settings;
}

/** The app of {@link APPS} with this name. */
export function appNamed(name: AppName): (typeof APPS)[number] {
  return APPS.find((app) => app.name === name) as (typeof APPS)[number];
}

/**
 * The `docker run` flags of an app container, as deploy/k8s and docker-compose.yml run it: read-only root
 * filesystem with a tmpfs /tmp, every capability dropped, no-new-privileges, no init process (Kubernetes has none:
 * node itself is PID 1 and must handle SIGTERM), the image's own user. Product imports get a volume at
 * /data/imports, the router the compose upstreams file.
 */
export async function containerFlags(app: (typeof APPS)[number], env: AppEnvironment, settings: Record<string, string>, suffix = ''): Promise<string[]> {
  const envFile = path.join(env.dir, `${app.name}${suffix}.env`);
  await writeFile(
    envFile,
    Object.entries(settings)
      .map(([name, value]) => `${name}=${value}`)
      .join('\n') + '\n',
    { mode: 0o600 },
  );
  const flags = [
    '--label',
    `mcpfed.check=${env.runId}`,
    '--network',
    env.network,
    '--read-only',
    '--tmpfs',
    '/tmp:rw,nosuid,nodev,noexec,size=64m,mode=1777',
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
    '--env-file',
    envFile,
  ];
  if (app.name === 'product-server') flags.push('--mount', 'type=volume,dst=/data/imports');
  if (app.name === 'router')
    flags.push('--mount', `type=bind,src=${path.join(REPO_ROOT, 'deploy', 'docker', 'compose-upstreams.json')},dst=/etc/mcpfed/upstreams.json,readonly`);
  return flags;
}

/** Runs `node dist/main.js migrate` in a one-shot container of the app's image (compose's `<app>-migrate`, the Kubernetes Job); rejects unless it exits 0. */
export async function runMigration(engine: DockerEngine, app: (typeof APPS)[number], env: AppEnvironment, settings: Record<string, string>): Promise<number> {
  const started = Date.now();
  const flags = await containerFlags(app, env, settings, '-migrate');
  const result = await engine.run(
    ['run', '--rm', '--name', `${env.runId}-${app.name}-migrate`, ...flags, env.images[app.name], 'node', 'dist/main.js', 'migrate'],
    { timeoutMs: 180_000 },
  );
  if (result.code !== 0) throw new Error(`${app.name} migrate exited ${result.code}: ${lastLines(result.stderr || result.stdout, 12)}`);
  return Date.now() - started;
}

/** Cold start of one container. */
export interface ColdStart {
  /** Milliseconds from the container's start (Docker's StartedAt) to the first 200 from /healthz. */
  readonly healthzMs: number;
  /** Milliseconds from the start to Docker reporting the HEALTHCHECK healthy (its first probe runs after the 10 s interval). */
  readonly healthyMs: number;
}

/** Starts the app's serving container and waits until its HEALTHCHECK reports healthy; rejects with its last log lines when it exits or does not get healthy. */
export async function startApp(
  engine: DockerEngine,
  app: (typeof APPS)[number],
  env: AppEnvironment,
  settings: Record<string, string>,
  timeoutMs: number,
): Promise<ColdStart> {
  const name = containerName(env, app.name);
  const flags = await containerFlags(app, env, settings);
  await engine.ok(
    ['run', '-d', '--name', name, '--hostname', app.name, '--network-alias', app.name, '--ip', env.ips[app.name], ...flags, env.images[app.name]],
    { timeoutMs: 60_000 },
  );
  const startedAt = parseDockerTime(await engine.ok(['inspect', '-f', '{{.State.StartedAt}}', name]));
  const deadline = Date.now() + timeoutMs;
  let healthzAt: number | undefined;
  const healthz = `http://${env.ips[app.name]}:${app.port}/healthz`;
  while (Date.now() < deadline) {
    if (healthzAt === undefined) {
      const ok = await fetch(healthz, { signal: AbortSignal.timeout(1000) }).then(
        (response) => response.status === 200,
        () => false,
      );
      if (ok) healthzAt = Date.now();
    }
    const [status = '', health = ''] = (
      await engine.ok(['inspect', '-f', '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}', name])
    ).split(' ');
    if (health === 'healthy') {
      const healthyAt = Date.now();
      return { healthzMs: (healthzAt ?? healthyAt) - startedAt, healthyMs: healthyAt - startedAt };
    }
    if (status !== 'running' || health === 'unhealthy') {
      throw new Error(`${app.name} is ${status} ${health}: ${lastLines(await containerLogs(engine, env, app.name, 20), 12)}`);
    }
    await sleep(healthzAt === undefined ? 100 : 250);
  }
  throw new Error(`${app.name} was not healthy within ${timeoutMs} ms: ${lastLines(await containerLogs(engine, env, app.name, 20), 12)}`);
}

/** What the process inside a running container is and may do. */
export interface ContainerIdentity {
  /** Uid of PID 1 (the app's node process). */
  readonly pid1Uid: number;
  /** Command line of PID 1. */
  readonly pid1Command: readonly string[];
  /** Error code of writing into the user's own home directory (EROFS on a read-only root filesystem). */
  readonly rootfsWrite: string;
  /** Error code of writing into /tmp (none: the tmpfs is writable). */
  readonly tmpWrite: string;
}

/** Asks the container itself, through `docker exec` as its own user, who PID 1 runs as and whether its root filesystem takes writes. */
export async function inspectIdentity(engine: DockerEngine, env: AppEnvironment, app: AppName): Promise<ContainerIdentity> {
  const script = `
    const fs = require('node:fs');
    const attempt = (file) => { try { fs.writeFileSync(file, 'x'); fs.unlinkSync(file); return 'none'; } catch (error) { return error.code; } };
    const status = fs.readFileSync('/proc/1/status', 'utf8');
    console.log(JSON.stringify({
      pid1Uid: Number(/^Uid:\\s+(\\d+)/m.exec(status)[1]),
      pid1Command: fs.readFileSync('/proc/1/cmdline', 'utf8').split('\\0').filter(Boolean),
      rootfsWrite: attempt(require('node:os').homedir() + '/.write-probe'),
      tmpWrite: attempt('/tmp/.write-probe'),
    }));`;
  return JSON.parse(await engine.ok(['exec', containerName(env, app), 'node', '-e', script], { timeoutMs: 30_000 })) as ContainerIdentity;
}

/** How a container ended after SIGTERM. */
export interface StopOutcome {
  readonly exitCode: number;
  /** Milliseconds from SIGTERM to exit. */
  readonly ms: number;
}

/** Sends SIGTERM to the container's PID 1 and waits for it to exit, at most the grace period; rejects when it does not. */
export async function terminate(engine: DockerEngine, env: AppEnvironment, app: AppName): Promise<StopOutcome> {
  const name = containerName(env, app);
  const started = Date.now();
  await engine.ok(['kill', '--signal', 'SIGTERM', name]);
  const waited = await engine.run(['wait', name], { timeoutMs: GRACE_PERIOD_MS });
  const ms = Date.now() - started;
  if (waited.code !== 0) throw new Error(`${app} did not exit within the ${GRACE_PERIOD_MS / 1000} s grace period after SIGTERM`);
  return { exitCode: Number(waited.stdout.trim()), ms };
}

/** The last lines a container wrote (for a failure report). */
export async function containerLogs(engine: DockerEngine, env: AppEnvironment, app: AppName, lines: number): Promise<string> {
  const result = await engine.run(['logs', '--tail', String(lines), containerName(env, app)]);
  return `${result.stdout}${result.stderr}`;
}

/** Name of an app's serving container in this run. */
export function containerName(env: Pick<AppEnvironment, 'runId'>, app: AppName): string {
  return `${env.runId}-${app}`;
}

/** Epoch milliseconds of a Docker RFC 3339 timestamp with nanoseconds. */
function parseDockerTime(text: string): number {
  const ms = Date.parse(text.replace(/(\.\d{3})\d*/, '$1'));
  if (Number.isNaN(ms)) throw new Error(`unexpected Docker time ${text}`);
  return ms;
}
