import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployableApps } from '../src/apps.ts';
import type { DeployableApp } from '../src/apps.ts';
import { checkAppEnvironments } from '../src/check-app-environment.ts';
import { interpolateCompose, parseEnvFile } from '../src/interpolate-compose.ts';
import { REPO_ROOT } from '../src/repo-root.ts';
import { runCommand } from '../src/run-command.ts';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
  volumes?: string[];
  profiles?: string[];
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
  restart?: string;
}

// Services without a healthcheck, and why. One-shot migrations exit; dependents wait for their success instead.
const NO_HEALTHCHECK: Readonly<Record<string, string>> = {
  'otel-collector': 'distroless image: no shell or HTTP client inside to probe with',
};
const SECRET_NAME = /PASSWORD|SECRET|_AUTH$|TOKEN$/;

async function composeTool(): Promise<string[]> {
  for (const candidate of [['docker', 'compose'], ['docker-compose']]) {
    const [command, ...rest] = candidate as [string, ...string[]];
    if ((await runCommand(command, [...rest, 'version'], { timeoutMs: 30_000 })).code === 0) return candidate;
  }
  throw new Error('neither `docker compose` nor `docker-compose` runs here (Debian: apt-get install docker-compose; .ci/run does)');
}

describe('docker-compose.yml', () => {
  let raw = '';
  let services: Record<string, Service> = {};
  let example: Record<string, string> = {};
  let apps: DeployableApp[] = [];
  const interpolated = (value: string) => interpolateCompose(value, example);

  beforeAll(async () => {
    raw = await readFile(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
    services = (parse(raw, { merge: true }) as { services: Record<string, Service> }).services;
    example = parseEnvFile(await readFile(path.join(REPO_ROOT, '.env.example'), 'utf8'));
    apps = await deployableApps();
  });

  it('passes `compose config` with the example .env, and refuses to render without the secrets', async () => {
    const [command = 'docker-compose', ...prefix] = await composeTool();
    const ok = await runCommand(command, [...prefix, '--env-file', '.env.example', '--profile', 'tracing', 'config', '-q'], { cwd: REPO_ROOT });
    expect(ok.code, ok.stderr).toBe(0);
    const dir = await mkdtemp(path.join(tmpdir(), 'mcpfed-compose-'));
    try {
      await writeFile(path.join(dir, 'empty.env'), '# no secrets\n');
      const refused = await runCommand(command, [...prefix, '--env-file', path.join(dir, 'empty.env'), 'config', '-q'], {
        cwd: REPO_ROOT,
        env: Object.fromEntries(Object.keys(example).map((name) => [name, ''])),
      });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/set [A-Z_]+ in \.env/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs a PostgreSQL per domain, Redis, every app, a migration per server, the issuer, Prometheus, Grafana and the tracing profile', () => {
    const domains = apps.filter((app) => app.hasDatabase).map((app) => app.name.replace(/-server$/, ''));
    expect(domains.length).toBeGreaterThanOrEqual(4);
    const expected = [
      ...domains.map((domain) => `${domain}-db`),
      'redis',
      'dev-issuer',
      ...apps.map((app) => app.name),
      ...apps.filter((app) => app.hasDatabase).map((app) => `${app.name}-migrate`),
      'prometheus',
      'grafana',
      'jaeger',
      'otel-collector',
    ];
    expect(Object.keys(services).sort()).toEqual(expected.sort());
    expect(services['jaeger']?.profiles).toEqual(['tracing']);
    expect(services['otel-collector']?.profiles).toEqual(['tracing']);
    for (const domain of domains) expect(services[`${domain}-db`]?.image, domain).toMatch(/^postgres:\d+/);
  });

  it('every long-running service has a healthcheck, and every dependency waits on a condition', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name.endsWith('-migrate')) {
        expect(service.healthcheck, name).toBeUndefined();
        expect(service.restart, name).toBe('no');
        expect(service.command, name).toEqual(['node', 'dist/main.js', 'migrate']);
      } else if (NO_HEALTHCHECK[name] === undefined) {
        expect(service.healthcheck?.test?.length, `${name} has no healthcheck`).toBeGreaterThan(0);
      }
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        const expected = dependency.endsWith('-migrate')
          ? 'service_completed_successfully'
          : NO_HEALTHCHECK[dependency] === undefined
            ? 'service_healthy'
            : 'service_started';
        expect(condition, `${name} -> ${dependency}`).toBe(expected);
        expect(services[dependency], `${name} depends on unknown ${dependency}`).toBeDefined();
        // A service outside a profile must not wait for one inside it: without the profile, it would never start.
        if (service.profiles === undefined) expect(services[dependency]?.profiles, `${name} depends on profile-only ${dependency}`).toBeUndefined();
      }
    }
  });

  it('migrations finish before a server starts, and each server waits for its own database and Redis', () => {
    for (const app of apps) {
      const dependsOn = services[app.name]?.depends_on ?? {};
      expect(dependsOn['redis']?.condition, app.name).toBe('service_healthy');
      if (app.hasDatabase) {
        const domain = app.name.replace(/-server$/, '');
        expect(dependsOn[`${app.name}-migrate`]?.condition, app.name).toBe('service_completed_successfully');
        expect(dependsOn[`${domain}-db`]?.condition, app.name).toBe('service_healthy');
        expect(services[`${app.name}-migrate`]?.depends_on?.[`${domain}-db`]?.condition).toBe('service_healthy');
        expect(new URL(interpolated(services[app.name]?.environment?.['DATABASE_URL'] ?? '')).host).toBe(`${domain}-db:5432`);
      }
    }
    for (const app of apps.filter((candidate) => candidate.name !== 'router'))
      expect(services['router']?.depends_on?.[app.name]?.condition).toBe('service_healthy');
  });

  it('every app is built from deploy/docker/Dockerfile for itself and runs read-only, unprivileged, on its own port (127.0.0.1 only)', () => {
    for (const app of apps) {
      for (const name of [app.name, ...(app.hasDatabase ? [`${app.name}-migrate`] : [])]) {
        const service = services[name] as Service;
        expect(service.build, name).toEqual({ context: '.', dockerfile: 'deploy/docker/Dockerfile', args: { APP: app.name } });
        expect(interpolated(service.image ?? ''), name).toBe(`mcpfed/${app.name}:local`);
        expect(service.read_only, name).toBe(true);
        expect(service.tmpfs, name).toEqual(['/tmp']);
        expect(service.cap_drop, name).toEqual(['ALL']);
      }
      const service = services[app.name] as Service;
      expect(service.healthcheck?.test.join(' '), app.name).toContain("'/healthz'");
      expect(service.environment?.['PORT'], app.name).toBe(String(app.port));
      expect(service.ports, app.name).toEqual([`127.0.0.1:${app.port}:${app.port}`]);
      const hosts = interpolated(service.environment?.['ALLOWED_HOSTS'] ?? '').split(',');
      expect(hosts, app.name).toEqual(expect.arrayContaining(['127.0.0.1', app.name]));
      // An explicit ALLOWED_HOSTS replaces the default list, which holds PUBLIC_URL's host.
      expect(hosts, `${app.name}: PUBLIC_URL's host`).toContain(new URL(interpolated(service.environment?.['PUBLIC_URL'] ?? 'http://missing')).hostname);
    }
    for (const service of Object.values(services)) for (const port of service.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
  });

  it('no secret is written in the file: passwords, secrets and credentials in URLs come from .env, which git ignores', async () => {
    const inline: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        if (SECRET_NAME.test(variable) && !/^\$\{[A-Z_]+:\?[^}]+\}$/.test(String(value))) inline.push(`${name}.${variable}`);
        for (const credential of String(value).matchAll(/:\/\/[^:/@]*:([^@]+)@/g)) {
          if (!/^\$\{[A-Z_]+:\?[^}]+\}$/.test(credential[1] ?? '')) inline.push(`${name}.${variable} (password in URL)`);
        }
      }
    }
    expect(inline).toEqual([]);
    const required = [...raw.matchAll(/\$\{([A-Z_]+):\?/g)].map((match) => match[1] as string);
    expect([...new Set(required)].filter((variable) => example[variable] === undefined)).toEqual([]);
    expect((await runCommand('git', ['check-ignore', '-q', '.env'], { cwd: REPO_ROOT })).code).toBe(0);
    expect((await runCommand('git', ['check-ignore', '-q', '.env.example'], { cwd: REPO_ROOT })).code).toBe(1);
  });

  it("the environment of every app service parses with the app's own config schema", async () => {
    const failures: string[] = [];
    for (const app of apps) {
      const names = [app.name, ...(app.hasDatabase ? [`${app.name}-migrate`] : [])];
      const envs = names.map((name) => {
        const env = Object.fromEntries(Object.entries(services[name]?.environment ?? {}).map(([key, value]) => [key, interpolated(String(value))]));
        // The router's upstreams file is bind-mounted: the router reads the same document from the repository.
        const mount = (services[name]?.volumes ?? []).find((volume) => volume.split(':')[1] === env['ROUTER_UPSTREAMS']);
        if (mount !== undefined) env['ROUTER_UPSTREAMS'] = path.join(REPO_ROOT, mount.split(':')[0] as string);
        return env;
      });
      (await checkAppEnvironments(app.name, envs)).forEach((verdict, index) => {
        if (!verdict.ok) failures.push(`${names[index]}: ${verdict.problems.join('; ')}`);
      });
    }
    expect(failures).toEqual([]);
  }, 60_000);

  it('each server accepts its own resource, which the issuer knows and the router and order server exchange tokens for', async () => {
    const env = (name: string) =>
      Object.fromEntries(Object.entries(services[name]?.environment ?? {}).map(([key, value]) => [key, interpolated(String(value))]));
    const audiences = Object.fromEntries(apps.map((app) => [app.name, env(app.name)['AUTH_AUDIENCE']]));
    for (const app of apps) expect(audiences[app.name], app.name).toBe(`${env(app.name)['PUBLIC_URL']}/mcp`);
    const issuer = env('dev-issuer');
    expect((issuer['DEV_ISSUER_RESOURCES'] ?? '').split(',').sort()).toEqual(Object.values(audiences).sort());
    expect(issuer['ROUTER_RESOURCE']).toBe(audiences['router']);
    expect(issuer['ORDER_RESOURCE']).toBe(audiences['order-server']);
    // Token exchange on every hop: neither the router's forwarding nor the order server's own token.
    expect(env('router')['ROUTER_UPSTREAM_AUTH']).toBeUndefined();
    expect(env('order-server')['ORDER_UPSTREAM_AUTH']).toBeUndefined();
    const mount = (services['router']?.volumes ?? []).find((volume) => volume.endsWith(':/etc/mcpfed/upstreams.json:ro')) ?? '';
    const upstreams = (
      JSON.parse(await readFile(path.join(REPO_ROOT, mount.split(':')[0] as string), 'utf8')) as { upstreams: { url: string; resource?: string }[] }
    ).upstreams;
    expect(upstreams.length).toBe(apps.length - 1);
    for (const upstream of upstreams) {
      const server = new URL(upstream.url).hostname;
      expect(upstream.resource, server).toBe(audiences[server]);
    }
    const order = env('order-server');
    for (const [domain, server] of [
      ['CUSTOMER', 'customer-server'],
      ['PRODUCT', 'product-server'],
      ['PAYMENT', 'payment-server'],
    ] as const) {
      expect(new URL(order[`${domain}_MCP_URL`] ?? '').hostname).toBe(server);
      expect(order[`${domain}_MCP_AUDIENCE`], domain).toBe(audiences[server]);
    }
  });

  it('every file it mounts from the repository exists', async () => {
    const missing: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] as string;
        if (source.startsWith('./')) await stat(path.join(REPO_ROOT, source)).catch(() => missing.push(`${name}: ${source}`));
      }
    }
    expect(missing).toEqual([]);
  });
});
