import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkAppLayout } from './check-app-layout.ts';
import { checkSourceLength } from './check-source-length.ts';

const GOOD_STORE = `import type { Kysely } from 'kysely';

export class ThingStore {
  readonly #db: Kysely<unknown>;
  readonly #signal: AbortSignal;

  constructor(db: Kysely<unknown>, signal: AbortSignal) {
    this.#db = db;
    this.#signal = signal;
  }

  get(id: string) {
    return this.#db.selectFrom('things').where('id', '=', id).executeTakeFirstOrThrow({ signal: this.#signal, errorConstructor: () => new Error(id) });
  }
}
`;

/** A domain app that follows the layout: every file a path relative to the app root. */
const GOOD_APP: Record<string, string> = {
  'README.md': '# thing-server\n',
  'package.json': '{}\n',
  'tsconfig.json': '{}\n',
  'migrations/index.ts': 'export const migrations = {};\n',
  'test/tools.int.test.ts': "import { Client } from '@modelcontextprotocol/sdk/client/index.js';\nexport const c = Client;\n",
  'src/main.ts': 'export {};\n',
  'src/config.ts': 'export {};\n',
  'src/config.test.ts': 'export {};\n',
  'src/server.ts': 'export {};\n',
  'src/tools/thing-get-tool.ts': 'export {};\n',
  'src/service/thing-service.ts': 'export {};\n',
  'src/service/rules/thing-rule.ts': 'export {};\n',
  'src/store/thing-store.ts': GOOD_STORE,
  'src/store/thing-database.ts': 'export interface ThingDatabase { things: { id: string } }\n',
  'src/jobs/thing-sweeper.ts': 'export {};\n',
  'src/resources/thing-resource.ts': 'export {};\n',
  'src/prompts/thing-prompt.ts': 'export {};\n',
  'src/seed/seed-things.ts': 'export {};\n',
};

const roots: string[] = [];

/** Writes the files under a fresh `thing-server` folder and returns its path. */
function app(files: Record<string, string | undefined>): string {
  const root = path.join(mkdtempSync(path.join(tmpdir(), 'app-layout-')), 'thing-server');
  roots.push(path.dirname(root));
  for (const [file, text] of Object.entries(files)) {
    if (text === undefined) continue;
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('checkAppLayout', () => {
  it('accepts an app with the rooms, tests and migrations in place (tests may use the SDK)', () => {
    expect(checkAppLayout(app(GOOD_APP))).toEqual([]);
  });

  it('refuses stray entries at the app root and missing required ones', () => {
    expect(checkAppLayout(app({ ...GOOD_APP, 'scripts/run.sh': 'true\n', 'test/tools.int.test.ts': undefined }))).toEqual([
      'thing-server/scripts: not part of an app (allowed: README.md, package.json, tsconfig.json, project.json, src, migrations, test)',
      'thing-server/test: missing',
    ]);
  });

  it('refuses files at the top of src/ other than main, config and server (and their tests), and folders that are not rooms', () => {
    const problems = checkAppLayout(
      app({
        ...GOOD_APP,
        'src/caller.ts': 'export {};\n',
        'src/helper.test.ts': 'export {};\n',
        'src/events/consumer.ts': 'export {};\n',
        'src/server.ts': undefined,
      }),
    );
    expect(problems).toEqual([
      'thing-server/src/caller.ts: only main.ts, config.ts, server.ts (and their tests) sit at the top of src/; move it into a room',
      'thing-server/src/events/: not a room (allowed: tools, service, store, jobs, resources, prompts, seed)',
      'thing-server/src/helper.test.ts: only main.ts, config.ts, server.ts (and their tests) sit at the top of src/; move it into a room',
      'thing-server/src/server.ts: missing',
    ]);
  });

  it('requires tools, service and store, and jobs, resources and prompts somewhere', () => {
    expect(
      checkAppLayout(
        app({ ...GOOD_APP, 'src/service/thing-service.ts': undefined, 'src/service/rules/thing-rule.ts': undefined, 'src/jobs/thing-sweeper.ts': undefined }),
      ),
    ).toEqual(['thing-server/src/service/: missing room', 'thing-server/src/jobs/: missing room (in src/ or a sub-domain)']);
  });

  it('gives each sub-domain the rooms, holding nothing else, and finds the other rooms in any of them', () => {
    const subDomainApp: Record<string, string> = { ...GOOD_APP };
    for (const file of Object.keys(GOOD_APP).filter((name) => /^src\/(tools|service|store|jobs|resources|prompts)\//.test(name))) delete subDomainApp[file];
    Object.assign(subDomainApp, {
      'src/catalog/tools/a-tool.ts': 'export {};\n',
      'src/catalog/service/a-service.ts': 'export {};\n',
      'src/catalog/store/a-store.ts': GOOD_STORE,
      'src/catalog/jobs/a-job.ts': 'export {};\n',
      'src/catalog/README.md': '# catalog\n',
      'src/catalog/index.ts': 'export {};\n',
      'src/catalog/seed/a-seed.ts': 'export {};\n',
      'src/stock/tools/b-tool.ts': 'export {};\n',
      'src/stock/service/b-service.ts': 'export {};\n',
      'src/stock/store/b-store.ts': GOOD_STORE,
      'src/stock/b-link.ts': 'export {};\n',
      'src/stock/helpers/b.ts': 'export {};\n',
      'src/prompts/shared-prompt.ts': 'export {};\n',
    });
    expect(checkAppLayout(app(subDomainApp), { subDomains: ['catalog', 'stock'] })).toEqual([
      'thing-server/src/stock/b-link.ts: a sub-domain holds only rooms (tools, service, store, jobs, resources, prompts), seed/ and its index.ts',
      'thing-server/src/stock/helpers: a sub-domain holds only rooms (tools, service, store, jobs, resources, prompts), seed/ and its index.ts',
      'thing-server/src/resources/: missing room (in src/ or a sub-domain)',
    ]);
    expect(checkAppLayout(app({ ...subDomainApp, 'src/stock/tools/b-tool.ts': undefined }), { subDomains: ['catalog', 'stock', 'pricing'] })).toEqual([
      'thing-server/src/stock/b-link.ts: a sub-domain holds only rooms (tools, service, store, jobs, resources, prompts), seed/ and its index.ts',
      'thing-server/src/stock/helpers: a sub-domain holds only rooms (tools, service, store, jobs, resources, prompts), seed/ and its index.ts',
      'thing-server/src/stock/tools/: missing room',
      'thing-server/src/pricing/: missing sub-domain',
      'thing-server/src/resources/: missing room (in src/ or a sub-domain)',
    ]);
  });

  it('refuses the MCP SDK in production code, however it is imported', () => {
    const problems = checkAppLayout(
      app({
        ...GOOD_APP,
        'src/tools/a.ts': "import type { Tool } from '@modelcontextprotocol/sdk/types.js';\nexport type A = Tool;\n",
        'src/service/b.ts': "export { McpError } from '@modelcontextprotocol/sdk/types.js';\n",
        'src/jobs/c.ts': "export const load = () => import('@modelcontextprotocol/client');\n",
        'src/service/b.test.ts': "import '@modelcontextprotocol/sdk/types.js';\n",
      }),
    );
    expect(problems).toEqual([
      'thing-server/src/jobs/c.ts: imports @modelcontextprotocol/client: production code of a domain app must not use the MCP SDK (bind through @mcpfed/mcp-runtime)',
      'thing-server/src/service/b.ts: imports @modelcontextprotocol/sdk/types.js: production code of a domain app must not use the MCP SDK (bind through @mcpfed/mcp-runtime)',
      'thing-server/src/tools/a.ts: imports @modelcontextprotocol/sdk/types.js: production code of a domain app must not use the MCP SDK (bind through @mcpfed/mcp-runtime)',
    ]);
  });

  it('refuses a store query that does not pass the signal on, and a store class that does not take one', () => {
    const unsignalled = GOOD_STORE.replace('{ signal: this.#signal, errorConstructor: () => new Error(id) }', '() => new Error(id)');
    const noSignalParameter = `import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export class CountStore {
  constructor(private readonly db: Kysely<unknown>) {}

  async count(): Promise<number> {
    const rows = await sql<{ n: number }>\`SELECT 1 AS n\`.execute(this.db, { signal: AbortSignal.timeout(1000) });
    return rows.rows.length + (await this.db.selectFrom('things').selectAll().stream(100).next()).value;
  }
}
`;
    const helperWithSignal =
      "export function all(db: Kysely<unknown>, signal: AbortSignal) {\n  return db.transaction().setIsolationLevel('serializable').execute((trx) => trx.selectFrom('things').selectAll().execute({ signal }));\n}\n";
    expect(
      checkAppLayout(
        app({
          ...GOOD_APP,
          'src/store/thing-store.ts': unsignalled,
          'src/store/sub/count-store.ts': noSignalParameter,
          'src/store/all-things.ts': helperWithSignal,
        }),
      ),
    ).toEqual([
      'thing-server/src/store/sub/count-store.ts:4: class CountStore runs queries but its constructor takes no signal',
      'thing-server/src/store/sub/count-store.ts:9: .stream(100) runs a query without the signal',
      'thing-server/src/store/thing-store.ts:13: .executeTakeFirstOrThrow(() => new Error(id)) runs a query without the signal',
    ]);
  });

  it('leaves queries outside the store room to other checks', () => {
    expect(checkAppLayout(app({ ...GOOD_APP, 'src/jobs/thing-sweeper.ts': 'export const sweep = (db: { execute(): void }) => db.execute();\n' }))).toEqual([]);
  });
});

describe('checkSourceLength', () => {
  it('counts the lines of production files only', () => {
    const line = 'export const x = 1;\n';
    const root = app({
      'src/short.ts': line.repeat(300),
      'src/long.ts': line.repeat(301),
      'src/long.test.ts': line.repeat(400),
      'test/helper.ts': line.repeat(400),
    });
    expect(checkSourceLength(root)).toEqual(['src/long.ts: 301 lines (at most 300)']);
  });
});
