import path from 'node:path';
import { generateFiles } from '@nx/devkit';
import type { GeneratorCallback, Tree } from '@nx/devkit';
import { execFileSync } from 'node:child_process';
import { EditAnchorError, indexOf, insertAfter, insertBefore } from './text-edits.ts';
import { formatCreatedFiles } from './format-created-files.ts';
import { addDeployment } from './add-deployment.ts';
import { edit, read } from './tree-text.ts';

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
  addDeployment(tree, plan);
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
