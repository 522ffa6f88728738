import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAppLayout } from '@mcpfed/workspace-checks';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const NX_ENV = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_SKIP_NX_CACHE: 'true', NX_TUI: 'false', CI: 'true' };

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, timeout = 300_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, [...args], { cwd, env: { ...process.env, ...NX_ENV }, timeout, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr }),
    );
  });
}

async function workspacePackages(root: string): Promise<Array<{ name: string; dir: string }>> {
  const found: Array<{ name: string; dir: string }> = [];
  for (const parent of ['apps', 'libs/platform', 'libs/contracts', 'tools']) {
    for (const child of await readdir(path.join(root, parent)).catch(() => [] as string[])) {
      const manifest = await readFile(path.join(root, parent, child, 'package.json'), 'utf8').catch(() => undefined);
      if (manifest !== undefined) found.push({ name: (JSON.parse(manifest) as { name: string }).name, dir: path.join(root, parent, child) });
    }
  }
  return found;
}

/**
 * A scratch copy of the workspace: the files git knows (tracked and untracked, not ignored), and a node_modules whose
 * entries link to the real ones, except @mcpfed/*, which link to the copy's own packages (as npm's workspace links
 * would), so the generated packages can be linked without touching the real node_modules.
 */
async function scratchWorkspace(): Promise<string> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'mcpfed-generate-'));
  const listed = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], REPO_ROOT);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    await cp(path.join(REPO_ROOT, file), path.join(scratch, file)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error; // deleted in the work tree, not yet committed
    });
  }
  await mkdir(path.join(scratch, 'node_modules', '@mcpfed'), { recursive: true });
  for (const entry of await readdir(path.join(REPO_ROOT, 'node_modules'))) {
    if (entry !== '@mcpfed') await symlink(path.join(REPO_ROOT, 'node_modules', entry), path.join(scratch, 'node_modules', entry));
  }
  await linkWorkspacePackages(scratch);
  // A repository of its own, so that git-based checks (ignored files) see the copy's .gitignore.
  await run('git', ['init', '-q'], scratch);
  return scratch;
}

async function linkWorkspacePackages(scratch: string): Promise<void> {
  const linked = new Set(await readdir(path.join(scratch, 'node_modules', '@mcpfed')));
  for (const { name, dir } of await workspacePackages(scratch)) {
    const short = name.replace(/^@mcpfed\//, '');
    if (!linked.has(short)) await symlink(dir, path.join(scratch, 'node_modules', '@mcpfed', short));
  }
}

describe('nx g @mcpfed/generators:domain-server', () => {
  let scratch = '';
  let before: Map<string, string>;
  let generated: Run;
  const nx = (args: readonly string[]) => run(path.join(scratch, 'node_modules', '.bin', 'nx'), args, scratch);
  const text = (file: string) => readFile(path.join(scratch, file), 'utf8');

  beforeAll(async () => {
    scratch = await scratchWorkspace();
    before = new Map();
    for (const file of EDITED) before.set(file, await text(file));
    generated = await nx(['g', '@mcpfed/generators:domain-server', 'shipping', '--skipInstall']);
    await linkWorkspacePackages(scratch);
  }, 300_000);

  afterAll(async () => {
    if (scratch !== '') await rm(scratch, { recursive: true, force: true });
  });

  const EDITED = [
    'libs/contracts/common/src/scopes.ts',
    'apps/router/src/config.ts',
    'tools/dev-stack/src/services.ts',
    'tools/dev-stack/src/services.test.ts',
    'deploy/k8s/base/router/upstreams.json',
    'deploy/docker/compose-upstreams.json',
    'docker-compose.yml',
    '.env.example',
    'deploy/observability/prometheus/prometheus.yml',
    '.github/CODEOWNERS',
    'deploy/README.md',
  ];

  it('writes the contract, the server, its deployment and nothing else new', async () => {
    expect(generated.code, generated.stderr + generated.stdout).toBe(0);
    const lines = generated.stdout.replace(/\u001b\[[0-9;]*m/g, '').split('\n');
    const created = lines
      .filter((line) => line.startsWith('CREATE '))
      .map((line) => line.slice(7).trim())
      .sort();
    expect(created).toEqual(
      [
        'apps/shipping-server/README.md',
        'apps/shipping-server/migrations/0001-shipping-records.ts',
        'apps/shipping-server/migrations/index.ts',
        'apps/shipping-server/package.json',
        'apps/shipping-server/src/config.test.ts',
        'apps/shipping-server/src/config.ts',
        'apps/shipping-server/src/jobs/shipping-job-context.ts',
        'apps/shipping-server/src/main.ts',
        'apps/shipping-server/src/prompts/shipping-prompts.ts',
        'apps/shipping-server/src/resources/shipping-resources.ts',
        'apps/shipping-server/src/server.ts',
        'apps/shipping-server/src/service/shipping-service.ts',
        'apps/shipping-server/src/store/shipping-database.ts',
        'apps/shipping-server/src/store/shipping-store.ts',
        'apps/shipping-server/src/store/sql-reader-role.ts',
        'apps/shipping-server/src/tools/bind.ts',
        'apps/shipping-server/src/tools/shipping-create-tool.ts',
        'apps/shipping-server/src/tools/shipping-get-tool.ts',
        'apps/shipping-server/test/tools.int.test.ts',
        'apps/shipping-server/tsconfig.json',
        'libs/contracts/shipping/package.json',
        'libs/contracts/shipping/src/index.ts',
        'libs/contracts/shipping/src/schemas.ts',
        'libs/contracts/shipping/src/shipping-contract.test.ts',
        'libs/contracts/shipping/src/shipping-create.ts',
        'libs/contracts/shipping/src/shipping-get.ts',
        'libs/contracts/shipping/tsconfig.json',
        ...['deployment', 'hpa', 'kustomization', 'networkpolicy', 'pdb', 'service', 'serviceaccount', 'servicemonitor'].map(
          (file) => `deploy/k8s/base/shipping-server/${file}.yaml`,
        ),
        'deploy/k8s/overlays/shipping/production/kustomization.yaml',
        'deploy/k8s/overlays/shipping/staging/kustomization.yaml',
      ].sort(),
    );
    const updated = lines
      .filter((line) => line.startsWith('UPDATE '))
      .map((line) => line.slice(7).trim())
      .sort();
    expect(updated).toEqual([...EDITED].sort());
  });

  it('only adds to the files it edits: every character they had is still there, in order', async () => {
    for (const file of EDITED.filter((name) => !name.endsWith('.json') && !name.endsWith('services.test.ts'))) {
      const old = before.get(file) ?? '';
      const now = await text(file);
      let at = 0;
      for (const char of now) if (char === old[at]) at++;
      expect(at, `${file}: something was changed or removed`).toBe(old.length);
      expect(now.length, file).toBeGreaterThan(old.length);
    }
    expect(await text('tools/dev-stack/src/services.ts')).toContain('payment: 4, shipping: 5, devIssuer: 10 }');
    expect(await text('libs/contracts/common/src/scopes.ts')).toContain("  'shipping:read',\n  'shipping:write',\n  'sql:read',");
    expect(JSON.parse(await text('deploy/k8s/base/router/upstreams.json')).upstreams.at(-1)).toEqual({
      name: 'shipping',
      url: 'http://shipping-server:8085/mcp',
      timeout_ms: 5000,
      concurrency: 64,
    });
  });

  it('the generated server has the layout every domain app keeps: rooms, stores taking (db, signal), no SDK in production code', async () => {
    expect(checkAppLayout(path.join(scratch, 'apps', 'shipping-server'))).toEqual([]);
    const service = await text('apps/shipping-server/src/service/shipping-service.ts');
    expect(service).toContain("import type { ContractInput, ContractOutput } from '@mcpfed/contract-common';");
    expect(service).toMatch(/async create\(input: ContractInput<typeof shippingCreate>, ctx: Pick<RequestContext, [^>]+>\)/);
    expect(await text('apps/shipping-server/src/store/shipping-store.ts')).toContain('constructor(db: Kysely<ShippingDatabase>, signal: AbortSignal)');
  });

  it('rewrites the JSON it edits as Prettier prints it', async () => {
    const prettier = await run(
      path.join(scratch, 'node_modules', '.bin', 'prettier'),
      ['--check', 'deploy/docker/compose-upstreams.json', 'deploy/k8s/base/router/upstreams.json'],
      scratch,
    );
    expect(prettier.code, prettier.stdout + prettier.stderr).toBe(0);
  });

  it('the generated projects pass lint, typecheck and test', async () => {
    const result = await nx(['run-many', '-t', 'lint', 'typecheck', 'test', '-p', 'shipping-server,contract-shipping', '--outputStyle=stream']);
    expect(result.code, result.stdout.slice(-6000) + result.stderr.slice(-2000)).toBe(0);
    expect(result.stdout).toMatch(/shipping-server:.*Tests\s+.*6 passed/s);
  }, 300_000);

  it('the edited projects still type-check and pass their unit tests, and the deployment checks accept the new domain', async () => {
    const typecheck = await nx(['run-many', '-t', 'typecheck', '-p', 'router,dev-stack,contract-common', '--outputStyle=stream']);
    expect(typecheck.code, typecheck.stdout.slice(-4000)).toBe(0);
    const vitest = path.join(scratch, 'node_modules', '.bin', 'vitest');
    // The unit tests (src/) of the projects whose files it edited: the dev stack pins its port table and services.
    for (const [project, config] of [
      ['tools/dev-stack', '../../vitest.config.ts'],
      ['apps/router', '../../vitest.config.ts'],
      ['libs/contracts/common', '../../../vitest.config.ts'],
    ] as const) {
      const unit = await run(vitest, ['run', '--config', config, '--root', '.', 'src/'], path.join(scratch, project));
      expect(unit.code, `${project}: ${unit.stdout.slice(-4000)}${unit.stderr.slice(-2000)}`).toBe(0);
    }
    const deploy = await run(
      vitest,
      [
        'run',
        '--config',
        '../../vitest.config.ts',
        '--root',
        '.',
        'test/kubernetes.test.ts',
        'test/compose.test.ts',
        'test/observability.test.ts',
        'test/deploy-readme.test.ts',
        'test/ci-workflow.test.ts',
        'test/connection-budget.test.ts',
        'test/rollout-order.test.ts',
      ],
      path.join(scratch, 'tools', 'deploy-checks'),
    );
    expect(deploy.code, deploy.stderr.slice(-6000)).toBe(0);
  }, 300_000);

  it('refuses a domain that exists and a name that is not one lowercase word, changing nothing', async () => {
    const again = await nx(['g', '@mcpfed/generators:domain-server', 'shipping', '--skipInstall']);
    expect(again.code).not.toBe(0);
    expect(again.stdout + again.stderr).toContain('apps/shipping-server already exists');
    const bad = await nx(['g', '@mcpfed/generators:domain-server', 'Ship-ping', '--skipInstall']);
    expect(bad.code).not.toBe(0);
    expect(await readdir(path.join(scratch, 'apps'))).not.toContain('Ship-ping-server');
  }, 120_000);
});
