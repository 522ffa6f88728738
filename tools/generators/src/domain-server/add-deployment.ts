import type { Tree } from '@nx/devkit';
import type { DomainPlan } from './domain-server-generator.ts';
import { EditAnchorError, indexOf, insertAfter, insertBefore, yamlBlock } from './text-edits.ts';
import { inlineJson } from './inline-json.ts';
import { edit, read } from './tree-text.ts';

/** The deployment the new domain's is cloned from: its shape is exactly a plain domain server's. */
const MODEL = { app: 'customer-server', team: 'customer', port: '8081', dbPort: '15431', NAME: 'CUSTOMER' } as const;

/**
 * Everything that deploys and runs the new domain: Kubernetes base and overlays, the router's upstream entries,
 * compose services, the Prometheus target, CODEOWNERS and the deploy README's rows.
 */
export function addDeployment(tree: Tree, plan: DomainPlan): void {
  addKubernetes(tree, plan);
  addRouterUpstreams(tree, plan);
  addCompose(tree, plan);
  addPrometheusTarget(tree, plan);
  addCodeOwners(tree, plan);
  addDeployReadme(tree, plan);
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
