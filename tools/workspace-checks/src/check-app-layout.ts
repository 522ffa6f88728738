import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { checkStoreSignal } from './check-store-signal.ts';
import { findSdkImports } from './find-sdk-imports.ts';
import { isTestFile, listProductionFiles } from './list-production-files.ts';

/** What a domain app may hold at its root; build output and installed packages are not part of the layout. */
const APP_ENTRIES = new Set(['README.md', 'package.json', 'tsconfig.json', 'project.json', 'src', 'migrations', 'test']);
const REQUIRED_APP_ENTRIES = ['README.md', 'package.json', 'tsconfig.json', 'src', 'migrations', 'test'];
const NOT_LAYOUT = new Set(['node_modules', 'dist', 'coverage', '.data']);
/** The files at the top of `src/`: the composition root, the settings and the MCP surface. */
const SRC_FILES = ['main.ts', 'config.ts', 'server.ts'];
/** The rooms of a domain (or sub-domain): bindings, rules, SQL, background work, resources, prompts. */
const ROOMS = ['tools', 'service', 'store', 'jobs', 'resources', 'prompts'];
/** Rooms every domain (or each of its sub-domains) has. */
const REQUIRED_ROOMS = ['tools', 'service', 'store'];
/** Rooms a domain has somewhere: at the top of src/ or in one of its sub-domains. */
const SOMEWHERE_ROOMS = ['jobs', 'resources', 'prompts'];
/** Demo data, optional, at the top of src/ only. */
const SEED = 'seed';

/** The sub-domains of the apps that have them: folders of src/ with the same rooms. */
export const SUB_DOMAINS: Readonly<Record<string, readonly string[]>> = Object.freeze({ 'product-server': ['catalog', 'inventory'] });

/** Options of {@link checkAppLayout}. */
export interface AppLayoutOptions {
  /** Sub-domain folders of src/. Default: the app's entry in {@link SUB_DOMAINS} (by folder name), else none. */
  readonly subDomains?: readonly string[];
}

/**
 * Where a domain app (`apps/<domain>-server`) departs from the shared layout (docs/architecture.md §1), one line per
 * problem, prefixed with the app's folder name; empty when it follows it. Checks the root entries, the top of src/,
 * the rooms (and the sub-domains' rooms), that no production file imports the MCP SDK, and that every store passes
 * the call's abort signal on to its queries.
 */
export function checkAppLayout(appDir: string, options: AppLayoutOptions = {}): string[] {
  const app = path.basename(appDir);
  const subDomains = options.subDomains ?? SUB_DOMAINS[app] ?? [];
  const problems: string[] = [];
  const report = (where: string, what: string) => problems.push(`${app}/${where}: ${what}`);
  const entries = readdirSync(appDir);
  for (const entry of entries)
    if (!APP_ENTRIES.has(entry) && !NOT_LAYOUT.has(entry)) report(entry, `not part of an app (allowed: ${[...APP_ENTRIES].join(', ')})`);
  for (const entry of REQUIRED_APP_ENTRIES) if (!entries.includes(entry)) report(entry, 'missing');
  const src = path.join(appDir, 'src');
  if (!isDirectory(src)) return problems;

  const srcEntries = readdirSync(src);
  for (const entry of srcEntries) {
    if (isDirectory(path.join(src, entry))) {
      if (!ROOMS.includes(entry) && entry !== SEED && !subDomains.includes(entry))
        report(`src/${entry}/`, `not a room (allowed: ${[...ROOMS, SEED, ...subDomains].join(', ')})`);
    } else if (!SRC_FILES.includes(entry) && !SRC_FILES.some((file) => entry === file.replace(/\.ts$/, '.test.ts'))) {
      report(`src/${entry}`, `only ${SRC_FILES.join(', ')} (and their tests) sit at the top of src/; move it into a room`);
    }
  }
  for (const file of SRC_FILES) if (!srcEntries.includes(file)) report(`src/${file}`, 'missing');
  if (subDomains.length === 0) {
    for (const room of REQUIRED_ROOMS) if (!hasFiles(path.join(src, room))) report(`src/${room}/`, 'missing room');
  }
  for (const sub of subDomains) {
    const subDir = path.join(src, sub);
    if (!isDirectory(subDir)) {
      report(`src/${sub}/`, 'missing sub-domain');
      continue;
    }
    for (const entry of readdirSync(subDir)) {
      // index.ts names what main.ts and server.ts compose from the sub-domain (its public surface); seed/ is its demo data.
      if (entry === 'README.md' || entry === 'index.ts' || (entry === SEED && isDirectory(path.join(subDir, entry)))) continue;
      if (!ROOMS.includes(entry) || !isDirectory(path.join(subDir, entry)))
        report(`src/${sub}/${entry}`, `a sub-domain holds only rooms (${ROOMS.join(', ')}), seed/ and its index.ts`);
    }
    for (const room of REQUIRED_ROOMS) if (!hasFiles(path.join(subDir, room))) report(`src/${sub}/${room}/`, 'missing room');
  }
  for (const room of SOMEWHERE_ROOMS) {
    if (![src, ...subDomains.map((sub) => path.join(src, sub))].some((dir) => hasFiles(path.join(dir, room))))
      report(`src/${room}/`, 'missing room (in src/ or a sub-domain)');
  }

  for (const problem of findSdkImports(appDir)) report(problem, 'production code of a domain app must not use the MCP SDK (bind through @mcpfed/mcp-runtime)');
  for (const file of listProductionFiles(src)) {
    if (!isStoreFile(file, subDomains)) continue;
    for (const problem of checkStoreSignal(`src/${file}`, readFileSync(path.join(src, file), 'utf8'))) problems.push(`${app}/${problem}`);
  }
  return problems;
}

/** Whether a file (relative to src/) is in a store room: `store/...` or `<sub-domain>/store/...`. */
function isStoreFile(file: string, subDomains: readonly string[]): boolean {
  const [first, second] = file.split('/');
  return first === 'store' || (first !== undefined && subDomains.includes(first) && second === 'store');
}

function isDirectory(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory();
}

/** A room exists when it holds at least one source file (git keeps no empty folders). */
function hasFiles(dir: string): boolean {
  return isDirectory(dir) && readdirSync(dir, { recursive: true, encoding: 'utf8' }).some((entry) => entry.endsWith('.ts') && !isTestFile(entry));
}
