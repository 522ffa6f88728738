import path from 'node:path';
import { generateFiles } from '@nx/devkit';
import type { GeneratorCallback, Tree } from '@nx/devkit';
import { execFileSync } from 'node:child_process';
import { EditAnchorError, indexOf, insertAfter, insertBefore, yamlBlock } from './text-edits.ts';
import { formatCreatedFiles } from './format-created-files.ts';
import { inlineJson } from './inline-json.ts';

/** Options of `nx g @mcpfed/generators:domain-server` (schema.json). */
export interface DomainServerOptions {
  /** The domain: one lowercase word, e.g. `shipping`. */
  readonly name: string;
  /** Skip `npm install` afterwards (it links the new workspace packages). Default false. */
  readonly skipInstall?: boolean;
}

/** Everything the files of one new domain are named and numbered by. */
export interface DomainPlan {
  /** `shipping` */
  readonly name: string;
  /** `shipping` as a camelCase identifier (the name is one word, so the same). */
  readonly camel: string;
  /** `Shipping` */
  readonly Camel: string;
  /** `SHIPPING` */
  readonly NAME: string;
  /** Entity id prefix, e.g. `ship`. */
  readonly prefix: string;
  /** Offset from the stack's port base (MCPFED_PORT_BASE, default 8080): 5 to 9. */
  readonly offset: number;
  /** Default port: 8080 + offset. */
  readonly port: number;
  /** Host port of its compose database: 15430 + offset. */
  readonly dbPort: number;
}

const NAME = /^[a-z][a-z0-9]{1,19}$/;
const PORT_BASE = 8080;
/** Offsets from the port base a new server may take: below the dev issuer's +10, above the five apps. */
const FREE_OFFSETS = [5, 6, 7, 8, 9];
const DEV_STACK_SERVICES = 'tools/dev-stack/src/services.ts';
/** The dev stack's log prefix colours (its NameColor type), in the order a new service takes them. */
const LOG_COLORS = ['cyan', 'magenta', 'green', 'yellow', 'blue', 'red', 'white', 'gray'];
const DEV_STACK_SERVICES_TEST = 'tools/dev-stack/src/services.test.ts';
/** The deployment the new domain's is cloned from: its shape is exactly a plain domain server's. */
const MODEL = { app: 'customer-server', team: 'customer', port: '8081', dbPort: '15431', NAME: 'CUSTOMER' } as const;

/**
 * Scaffolds a domain: contract (libs/contracts/<name>), server (apps/<name>-server: config, main, a read and a
 * write tool through the contract, migrations, tests), Kubernetes base and overlays, compose services, the router's
 * upstream entries, the npm start entry, scopes, CODEOWNERS and the deploy README. Each edit of an existing file
 * inserts next to an anchor and fails with the file's name when the anchor is gone, so nothing is half-written.
 */
export default async function domainServerGenerator(tree: Tree, options: DomainServerOptions): Promise<GeneratorCallback> {
  const plan = planDomain(tree, options.name);
  generateFiles(tree, path.join(import.meta.dirname, 'files'), '.', { ...plan, tmpl: '' });
  addScopes(tree, plan);
  addDevStackService(tree, plan);
  addKubernetes(tree, plan);
  addRouterUpstreams(tree, plan);
  addCompose(tree, plan);
  addPrometheusTarget(tree, plan);
  addCodeOwners(tree, plan);
  addDeployReadme(tree, plan);
  await formatCreatedFiles(tree, [`apps/${plan.name}-server`, `libs/contracts/${plan.name}`]);
  return () => {
    if (options.skipInstall !== true) execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: tree.root, stdio: 'inherit' });
    process.stdout.write(
      `\n${plan.name}-server: port ${plan.port}, tools ${plan.name}_get and ${plan.name}_create, scopes ${plan.name}:read and ${plan.name}:write.\n` +
        `Next: add ${plan.camel}Contract to CONTRACTS in tools/workspace-checks/test/contracts.test.ts and run\n` +
        `  UPDATE_CONTRACT_SNAPSHOTS=1 npx nx test workspace-checks\n` +
        `then npx nx run-many -t lint typecheck test -p ${plan.name}-server,contract-${plan.name}\n`,
    );
  };
}

/** Validates the name against the workspace and picks the port. Throws with one line saying what is wrong. */
export function planDomain(tree: Tree, name: string): DomainPlan {
  if (!NAME.test(name)) throw new Error(`domain name "${name}" must be one lowercase word of 2-20 letters and digits, e.g. shipping`);
  for (const taken of [`apps/${name}-server`, `libs/contracts/${name}`, `deploy/k8s/base/${name}-server`]) {
    if (tree.exists(taken)) throw new Error(`${taken} already exists: the ${name} domain is there`);
  }
  const services = read(tree, DEV_STACK_SERVICES);
  const offsets = /PORT_OFFSETS = Object\.freeze\(\{([^}]*)\}/.exec(services)?.[1];
  if (offsets === undefined) throw new EditAnchorError(`${DEV_STACK_SERVICES}: cannot find PORT_OFFSETS`);
  if (new RegExp(`\\b${name}:`).test(offsets)) throw new Error(`${DEV_STACK_SERVICES} already has a port offset for ${name}`);
  const used = new Set([...offsets.matchAll(/:\s*(\d+)/g)].map((match) => Number(match[1])));
  const offset = FREE_OFFSETS.find((candidate) => !used.has(candidate));
  if (offset === undefined) throw new Error(`no free port offset among ${FREE_OFFSETS.join(', ')} in PORT_OFFSETS of ${DEV_STACK_SERVICES}`);
  const Camel = name[0]?.toUpperCase() + name.slice(1);
  return { name, camel: name, Camel, NAME: name.toUpperCase(), prefix: name.slice(0, 4), offset, port: PORT_BASE + offset, dbPort: 15430 + offset };
}

function read(tree: Tree, file: string): string {
  const text = tree.read(file, 'utf-8');
  if (text === null) throw new EditAnchorError(`${file} does not exist`);
  return text;
}

function edit(tree: Tree, file: string, change: (text: string) => string): void {
  tree.write(file, change(read(tree, file)));
}

/** `<name>:read` and `<name>:write` join the federation's scopes and the router's default service scopes. */
function addScopes(tree: Tree, plan: DomainPlan): void {
  edit(tree, 'libs/contracts/common/src/scopes.ts', (text) =>
    insertBefore(text, "  'sql:read',", `  '${plan.name}:read',\n  '${plan.name}:write',\n`, 'scopes.ts'),
  );
  edit(tree, 'apps/router/src/config.ts', (text) =>
    insertBefore(
      text,
      "'sql:read'",
      `'${plan.name}:read', '${plan.name}:write', `,
      'apps/router/src/config.ts',
      indexOf(text, 'FEDERATION_SCOPES', 0, 'apps/router/src/config.ts'),
    ),
  );
}

/** The npm start entry: a port offset, its port in stackPorts, and the service before the router. */
function addDevStackService(tree: Tree, plan: DomainPlan): void {
  // A log prefix colour no other service uses yet, while there is one.
  const used = new Set([...read(tree, DEV_STACK_SERVICES).matchAll(/color: '(\w+)'/g)].map((match) => match[1]));
  const color = LOG_COLORS.find((candidate) => !used.has(candidate)) ?? 'white';
  const entry = [
    '    {',
    `      name: '${plan.name}',`,
    `      app: '${plan.name}-server',`,
    `      port: ports.${plan.camel},`,
    `      database: '${plan.name}',`,
    "      setup: ['migrate'],",
    `      color: '${color}',`,
    '      env: (stack) => ({',
    `        ...commonServerEnv({ port: ports.${plan.camel} }, stack),`,
    `        DATABASE_URL: databaseUrlOf(stack, '${plan.name}'),`,
    '        SQL_READER_PASSWORD: DEV_SQL_READER_PASSWORD,',
    '      }),',
    '    },',
    '',
  ].join('\n');
  edit(tree, DEV_STACK_SERVICES, (text) => {
    let out = insertBefore(
      text,
      /,?\s*devIssuer: 10 \}/,
      `, ${plan.camel}: ${plan.offset}`,
      DEV_STACK_SERVICES,
      indexOf(text, 'PORT_OFFSETS = Object.freeze', 0, DEV_STACK_SERVICES),
    );
    out = insertBefore(out, '    devIssuer: base + PORT_OFFSETS.devIssuer,', `    ${plan.camel}: base + PORT_OFFSETS.${plan.camel},\n`, DEV_STACK_SERVICES);
    return insertAfter(out, /\n {4}\},\n(?= {2}\];\n\s*\/\/ The router comes last)/, entry, DEV_STACK_SERVICES);
  });
  // The dev stack's own test pins the port table and the domain list; keep it in step when it has that shape.
  if (tree.exists(DEV_STACK_SERVICES_TEST)) {
    edit(tree, DEV_STACK_SERVICES_TEST, (text) =>
      text
        .replace(
          /(payment: (\d+)), devIssuer: (\d+) \}/g,
          (_, payment: string, port: string, issuer: string) => `${payment}, ${plan.camel}: ${Number(port) - 4 + plan.offset}, devIssuer: ${issuer} }`,
        )
        .replace(/(expect\(domainsOf\(SERVICES\)\)\.toEqual\(\[[^\]]*)\]\)/, `$1, '${plan.name}'])`),
    );
  }
}

/** A base and staging/production overlays, cloned from the customer team's (a plain domain server). */
function addKubernetes(tree: Tree, plan: DomainPlan): void {
  const rename = (text: string, file: string) => {
    const out = text
      .replaceAll(MODEL.app, `${plan.name}-server`)
      .replaceAll(`mcpfed.dev/team: ${MODEL.team}`, `mcpfed.dev/team: ${plan.name}`)
      .replaceAll(`overlays/${MODEL.team}/`, `overlays/${plan.name}/`)
      .replaceAll(`the ${MODEL.team} team`, `the ${plan.name} team`)
      .replaceAll(MODEL.port, String(plan.port));
    if (/customer/i.test(out)) throw new EditAnchorError(`${file}: the model still names the customer domain after renaming; update the generator`);
    return out;
  };
  for (const [from, to] of [
    [`deploy/k8s/base/${MODEL.app}`, `deploy/k8s/base/${plan.name}-server`],
    [`deploy/k8s/overlays/${MODEL.team}`, `deploy/k8s/overlays/${plan.name}`],
  ] as const) {
    const files = listFiles(tree, from);
    if (files.length === 0) throw new EditAnchorError(`${from}: nothing to clone the deployment from`);
    for (const file of files) tree.write(`${to}${file.slice(from.length)}`, rename(read(tree, file), file));
  }
}

function listFiles(tree: Tree, dir: string): string[] {
  return tree.children(dir).flatMap((child) => {
    const full = `${dir}/${child}`;
    return tree.isFile(full) ? [full] : listFiles(tree, full);
  });
}

/** The router finds the new server in Kubernetes and in compose (npm start derives its upstreams from the services). */
function addRouterUpstreams(tree: Tree, plan: DomainPlan): void {
  const url = `http://${plan.name}-server:${plan.port}/mcp`;
  const k8s = 'deploy/k8s/base/router/upstreams.json';
  const document = JSON.parse(read(tree, k8s)) as { upstreams: Record<string, unknown>[] };
  document.upstreams.push({ name: plan.name, url, timeout_ms: 5000, concurrency: 64 });
  tree.write(k8s, `${JSON.stringify(document, null, 2)}\n`);
  const compose = 'deploy/docker/compose-upstreams.json';
  const entries = (JSON.parse(read(tree, compose)) as { upstreams: Record<string, unknown>[] }).upstreams;
  // Its resource is its compose PUBLIC_URL's (cloned from the customer's: http://localhost:<port>), the audience it accepts.
  entries.push({ name: plan.name, url, resource: `http://localhost:${plan.port}/mcp` });
  tree.write(compose, `{\n  "upstreams": [\n${entries.map((entry) => `    ${inlineJson(entry)}`).join(',\n')}\n  ]\n}\n`);
}

/** Its database, migration and server in docker-compose.yml (cloned from the customer's), the router waiting for it, its secrets in .env.example. */
function addCompose(tree: Tree, plan: DomainPlan): void {
  const file = 'docker-compose.yml';
  edit(tree, file, (text) => {
    const rename = (block: string) => {
      const out = block
        .replaceAll(`${MODEL.team}-db`, `${plan.name}-db`)
        .replaceAll(MODEL.app, `${plan.name}-server`)
        .replaceAll(`mcpfed_${MODEL.team}`, `mcpfed_${plan.name}`)
        .replaceAll(`${MODEL.NAME}_`, `${plan.NAME}_`)
        .replaceAll(MODEL.dbPort, String(plan.dbPort))
        .replaceAll(MODEL.port, String(plan.port));
      if (/customer/i.test(out)) throw new EditAnchorError(`${file}: the customer blocks still name the customer domain after renaming; update the generator`);
      return out;
    };
    const database = rename(yamlBlock(text, `${MODEL.team}-db`, '  ', file));
    const migrate = rename(yamlBlock(text, `${MODEL.app}-migrate`, '  ', file));
    const server = rename(yamlBlock(text, MODEL.app, '  ', file));
    let out = insertBefore(text, '\n  redis:\n', `\n${database.trimEnd()}\n`, file);
    out = insertBefore(out, '  # ---------------------------------------------------------------- the domain servers', `${migrate}\n`, file);
    out = insertBefore(out, '  # ---------------------------------------------------------------- the router', `${server}\n`, file);
    // The dev issuer issues tokens for its resource too.
    out = insertAfter(out, /\n      DEV_ISSUER_RESOURCES: .*/, `,http://localhost:${plan.port}/mcp`, file);
    const router = indexOf(out, '\n  router:\n', 0, file);
    out = insertAfter(
      out,
      '      payment-server:\n        condition: service_healthy\n',
      `      ${plan.name}-server:\n        condition: service_healthy\n`,
      file,
      router,
    );
    return insertBefore(out, '\n  redis:\n', `\n  ${plan.name}-db:`, file, indexOf(out, '\nvolumes:\n', 0, file));
  });
  edit(tree, '.env.example', (text) => {
    let out = insertAfter(text, /\nPAYMENT_DB_PASSWORD=.*\n/, `${plan.NAME}_DB_PASSWORD=change-me-${plan.name}-db\n`, '.env.example');
    out = insertAfter(out, /\nPAYMENT_SQL_READER_PASSWORD=.*\n/, `${plan.NAME}_SQL_READER_PASSWORD=change-me-${plan.name}-reader\n`, '.env.example');
    out = insertAfter(
      out,
      /\nPAYMENT_AUDIT_DIGEST_KEY=.*\n/,
      `${plan.NAME}_AUDIT_DIGEST_KEY=change-me-${plan.name}-audit-digest-key-of-32-characters\n`,
      '.env.example',
    );
    return insertAfter(out, /\nPAYMENT_DB_PORT=.*\n/, `${plan.NAME}_DB_PORT=${plan.dbPort}\n`, '.env.example');
  });
}

function addPrometheusTarget(tree: Tree, plan: DomainPlan): void {
  const file = 'deploy/observability/prometheus/prometheus.yml';
  edit(tree, file, (text) =>
    insertAfter(
      text,
      /\n( *)- targets: \["payment-server:\d+"\]\n\1  labels: \{ app: payment-server, environment: local \}\n/,
      `      - targets: ["${plan.name}-server:${plan.port}"]\n        labels: { app: ${plan.name}-server, environment: local }\n`,
      file,
    ),
  );
}

function addCodeOwners(tree: Tree, plan: DomainPlan): void {
  const team = `@mcpfed/${plan.name}`;
  const block = [
    `# ${plan.Camel}`,
    `/apps/${plan.name}-server/`.padEnd(40) + team,
    `/libs/contracts/${plan.name}/`.padEnd(40) + team,
    `/deploy/k8s/base/${plan.name}-server/`.padEnd(40) + team,
    `/deploy/k8s/overlays/${plan.name}/`.padEnd(40) + team,
    '',
    '',
  ].join('\n');
  edit(tree, '.github/CODEOWNERS', (text) => insertBefore(text, '# Router\n', block, '.github/CODEOWNERS'));
}

function addDeployReadme(tree: Tree, plan: DomainPlan): void {
  const file = 'deploy/README.md';
  const section = [
    '',
    '',
    `### ${plan.name}-server (${plan.port}) — apps/${plan.name}-server/src/config.ts`,
    '',
    '| variable | meaning (default, unit) |',
    '|---|---|',
    `| \`DATABASE_URL\` | The ${plan.name} database, as its owner role (migrations, tools). Required postgres:// URL. |`,
    `| \`SQL_READER_PASSWORD\` | Password \`migrate\` gives the read-only role \`${plan.name}_sql_reader\`. Required outside development (MCPFED_ENV); in development default none (trust auth). |`,
  ].join('\n');
  edit(tree, file, (text) => {
    const out = insertBefore(text, '\n\n<!-- environment:end -->', section, file);
    const withSecrets = insertAfter(
      out,
      /\n\| `payment-server-secrets` \|.*\n/,
      `| \`${plan.name}-server-secrets\` | \`DATABASE_URL\`, \`REDIS_URL\`, \`SQL_READER_PASSWORD\`, \`AUDIT_DIGEST_KEY\` |\n`,
      file,
    );
    return addBudgetRows(withSecrets, plan, file);
  });
}

/** Connections one pod of a generated server opens: its one pool, DB_POOL_MAX (default 10; no read-only SQL pool). */
const GENERATED_POOL = 10;

/**
 * The connection budget table (tools/deploy-checks computes it, rows in overlay order): the new overlays are copies
 * of the customer team's, so they have its replica counts, with the generated server's one pool per pod.
 */
function addBudgetRows(text: string, plan: DomainPlan, file: string): string {
  const model = new RegExp(`^\\| \`${MODEL.team}/(production|staging)\` \\| (\\d+) \\+ (\\d+) \\|.*$`, 'gm');
  const rows = [...text.matchAll(model)].map((match) => {
    const [replicas, surge] = [Number(match[2]), Number(match[3])];
    return `| \`${plan.name}/${match[1]}\` | ${replicas} + ${surge} | ${GENERATED_POOL} | **${(replicas + surge) * GENERATED_POOL + 1}** |`;
  });
  if (rows.length !== 2)
    throw new EditAnchorError(`${file}: the connection budget table has no rows of the ${MODEL.team} overlays to copy; update the generator`);
  let out = text;
  for (const row of rows) {
    const overlay = /`([^`]+)`/.exec(row)?.[1] ?? '';
    const table = indexOf(out, '<!-- connection-budget:begin', 0, file);
    const end = indexOf(out, '\n\n<!-- connection-budget:end -->', table, file);
    const after = [...out.slice(table, end).matchAll(/^\| `([a-z]+\/[a-z]+)` \|.*$/gm)].find((match) => (match[1] ?? '') > overlay);
    out =
      after === undefined
        ? insertBefore(out, '\n\n<!-- connection-budget:end -->', `\n${row}`, file, table)
        : insertBefore(out, after[0], `${row}\n`, file, table);
  }
  return out;
}
