/**
 * `npm start`: a zero-configuration local federation. Starts the dev OpenID provider (oidc-provider: discovery,
 * client credentials, login page for the demo users, token exchange; see dev-issuer.ts), PostgreSQL (DATABASE_URL_<DOMAIN>
 * or an embedded cluster under .data/postgres), Redis (REDIS_URL, a local one, or a redis-server child), then
 * migrates, seeds and serves every entry of SERVICES, and prints the URLs, the demo users, a dev token (a real login
 * as the support user, for the router) and how to connect a client.
 * A server that crashes later is started again with a backoff, said in the log (kept-process.ts); each one's pid is in
 * `<data dir>/run/<name>.pid` and the stack's URLs in `<data dir>/run/stack.json` (stack-file.ts), for operators and
 * the fault harness. Ctrl-C / SIGTERM stops everything and exits 0; a start-up failure exits 1 with one message.
 *
 * Environment (all optional): DATABASE_URL_<DOMAIN>, REDIS_URL, LOG_LEVEL (default info), MCPFED_DATA_DIR
 * (default <repo>/.data) and MCPFED_PORT_BASE (default 8080: router 8080, customer 8081, order 8082, product 8083,
 * payment 8084, dev provider 8090; each is base + offset, see services.ts).
 */
import path from 'node:path';
import { renderBanner } from './banner.ts';
import { resolveDatabases } from './databases.ts';
import type { StackDatabases } from './databases.ts';
import { DEMO_USERS } from './demo-users.ts';
import { DEV_TOKEN_TTL_SECONDS, startDevProvider } from './dev-issuer.ts';
import { KeptProcess } from './kept-process.ts';
import { formatLogLine } from './log-format.ts';
import { assertPortsFree } from './ports.ts';
import { resolveRedis } from './redis.ts';
import { DEFAULT_PORT_BASE, PORT_BASE, PORT_BASE_SETTING, PORT_BASE_VARIABLE, SERVICES, STACK_PORTS, domainsOf, resourceOf, serviceUrl } from './services.ts';
import type { ServiceDefinition, StackEnvironment } from './services.ts';
import { StackError } from './stack-error.ts';
import { pidFileOf, removeStackFile, writeStackFile } from './stack-file.ts';
import { Supervisor } from './supervisor.ts';
import type { ProcessSpec } from './supervisor.ts';
import { requestStackToken } from './stack-token.ts';
import { DEFAULT_TOKEN_USER } from './token-args.ts';
import { DATA_DIR, DEV_ISSUER_PORT, DEV_ISSUER_URL, REPO_ROOT } from './workspace.ts';

const READY_TIMEOUT_MS = 60_000;

const ansi = process.stdout.isTTY === true && process.stdout.hasColors();
const nameWidth = Math.max('postgres'.length, ...SERVICES.map((service) => service.name.length));
const print = (line: string): void => void process.stdout.write(`${line}\n`);
const note = (message: string): void => print(formatLogLine(message, { name: 'stack', color: 'white', nameWidth, ansi }));

const supervisor = new Supervisor({ print, ansi, nameWidth });
/** Undo steps of what has started so far, run last-first on shutdown. */
const cleanups: Array<() => Promise<void>> = [];
const servers: KeptProcess[] = [];
let databases: StackDatabases | undefined;
let stopping: Promise<void> | undefined;

function shutdown(exitCode: number): Promise<void> {
  stopping ??= (async () => {
    const started = cleanups.length > 0;
    if (started) note('stopping…');
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        note(`cleanup step failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    await supervisor.stopAll();
    if (started) note('stopped');
    process.exit(exitCode);
  })();
  return stopping;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  // npm forwards the terminal's Ctrl-C as well, so a repeated signal just joins the shutdown under way.
  process.on(signal, () => void shutdown(0));
}
process.on('exit', () => {
  // Last resort when the stack dies without shutting down (an uncaught error): nothing it started keeps running.
  supervisor.killAll();
  databases?.stopNow();
});

function processSpec(service: ServiceDefinition, args: readonly string[], env: Record<string, string>): ProcessSpec {
  return {
    name: service.name,
    color: service.color,
    command: process.execPath,
    args: [path.join('apps', service.app, 'src', 'main.ts'), ...args],
    env,
    cwd: REPO_ROOT,
  };
}

async function startService(service: ServiceDefinition, stack: StackEnvironment): Promise<void> {
  const env = service.env(stack);
  for (const command of service.setup) {
    note(`${service.name}: ${command}`);
    await supervisor.run(processSpec(service, [command], env), command);
  }
  const server = new KeptProcess(supervisor, {
    spec: processSpec(service, ['serve'], env),
    readyUrl: `${serviceUrl(service)}/readyz`,
    readyTimeoutMs: READY_TIMEOUT_MS,
    pidFile: pidFileOf(DATA_DIR, service.name),
    note,
  });
  servers.push(server);
  await server.start();
}

async function main(): Promise<void> {
  if (!PORT_BASE_SETTING.ok) throw new StackError(PORT_BASE_SETTING.message);
  if (PORT_BASE !== DEFAULT_PORT_BASE) note(`ports moved by ${PORT_BASE_VARIABLE}=${PORT_BASE} (default ${DEFAULT_PORT_BASE})`);
  await assertPortsFree(
    [{ port: DEV_ISSUER_PORT, owner: 'dev provider' }, ...SERVICES.map((service) => ({ port: service.port, owner: service.app }))],
    'Stop whatever listens there (is another `npm start` running?) and try again, ' +
      `or move the whole stack with ${PORT_BASE_VARIABLE} (now ${PORT_BASE}), e.g. ${PORT_BASE_VARIABLE}=${PORT_BASE + 1000} npm start.`,
  );

  const devProvider = await startDevProvider();
  cleanups.push(devProvider.stop);
  note(`dev provider on ${DEV_ISSUER_URL}`);

  databases = await resolveDatabases({
    domains: domainsOf(SERVICES),
    env: process.env,
    dataDir: path.join(DATA_DIR, 'postgres'),
    // Once the stack stops, PostgreSQL's complaints about closing connections are expected noise.
    print: (line) => void (stopping === undefined && print(formatLogLine(line, { name: 'postgres', color: 'blue', nameWidth, ansi }))),
  });
  cleanups.push(databases.stop);
  for (const line of databases.description) note(`database ${line}`);

  const redis = await resolveRedis({ redisUrl: process.env['REDIS_URL'], dataDir: path.join(DATA_DIR, 'redis'), supervisor });
  cleanups.push(redis.stop);
  const redisText = `${redis.url} (${{ env: 'from REDIS_URL', local: 'already running', spawned: 'redis-server started by the stack' }[redis.source]})`;
  note(`redis ${redisText}`);

  const stack: StackEnvironment = {
    databaseUrls: databases.urls,
    redisUrl: redis.url,
    issuerUrl: DEV_ISSUER_URL,
    logLevel: process.env['LOG_LEVEL'] ?? 'info',
  };
  // The servers stop together (each SIGTERM, then SIGKILL after 10 s) before the databases and Redis they use.
  cleanups.push(async () => void (await Promise.all(servers.map((server) => server.stop()))));
  for (const service of SERVICES) await startService(service, stack);
  cleanups.push(async () => removeStackFile(DATA_DIR));
  writeStackFile(DATA_DIR, {
    pid: process.pid,
    portBase: PORT_BASE,
    issuerUrl: DEV_ISSUER_URL,
    services: Object.fromEntries(SERVICES.map((service) => [service.name, { url: serviceUrl(service), pidFile: pidFileOf(DATA_DIR, service.name) }])),
    databaseUrls: databases.urls,
    ...(databases.embeddedDataDir === undefined ? {} : { postgresDataDir: databases.embeddedDataDir }),
    redisUrl: redis.url,
  });

  // A real login at the provider, as `npm run token` does: the banner's token is what a client would get.
  const audience = resourceOf({ port: STACK_PORTS.router });
  const tokenUser = DEMO_USERS[DEFAULT_TOKEN_USER];
  const token = await requestStackToken({ grant: { kind: 'user', user: tokenUser.subject }, resource: audience, scopes: tokenUser.scopes }, DEV_ISSUER_URL);
  print(
    renderBanner({
      services: SERVICES,
      token,
      tokenUser: tokenUser.subject,
      tokenHours: DEV_TOKEN_TTL_SECONDS / 3600,
      audience,
      issuerUrl: DEV_ISSUER_URL,
      users: Object.values(DEMO_USERS),
      databases: databases.description,
      redis: redisText,
      ansi,
    }),
  );
}

try {
  await main();
} catch (error) {
  if (stopping === undefined) {
    const message = error instanceof StackError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`\nnpm start failed: ${message}\n\n`);
    await shutdown(1);
  }
}
