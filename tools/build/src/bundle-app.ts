import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

/** Options of {@link bundleApp}. */
export interface BundleAppOptions {
  /** Folder name of the app under `apps/`, e.g. `customer-server`. */
  readonly app: string;
  /** Absolute path of the repository root (the folder holding the root package.json). */
  readonly repoRoot: string;
}

/** What {@link bundleApp} wrote. */
export interface BundleAppResult {
  /** Absolute path of the bundle, `apps/<app>/dist/main.js`. */
  readonly outfile: string;
  /** Size of the bundle in bytes. */
  readonly bytes: number;
  /** npm packages left as runtime imports (the root package.json `dependencies`). */
  readonly external: readonly string[];
}

const APP_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * Lets CommonJS code that esbuild inlines call `require` inside an ES module bundle (esbuild's `__require` shim
 * looks for a `require` in scope). Only `require` is defined: a banner is raw text that esbuild does not rename
 * around, so every extra top-level name could collide with a bundled declaration.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __mcpfedCreateRequire } from 'node:module';\n" + 'const require = __mcpfedCreateRequire(import.meta.url);';

/**
 * Bundles `apps/<app>/src/main.ts` into `apps/<app>/dist/main.js` (ESM, Node 24, with a source map).
 * Workspace packages (`@mcpfed/*`) are inlined; every package in the root package.json `dependencies` stays an
 * import, so the bundle runs from the repository and from an image with production dependencies installed.
 * The bundle sits beside `src/`, so paths the app resolves relative to its own module (e.g. `../migrations`) hold.
 */
export async function bundleApp(options: BundleAppOptions): Promise<BundleAppResult> {
  if (!APP_NAME.test(options.app)) {
    throw new Error(`invalid app name "${options.app}": expected a folder name under apps/ such as customer-server`);
  }
  const appDir = path.join(options.repoRoot, 'apps', options.app);
  const entry = path.join(appDir, 'src', 'main.ts');
  if (!existsSync(entry)) {
    throw new Error(`apps/${options.app}/src/main.ts does not exist`);
  }
  const external = await readRuntimeDependencies(options.repoRoot);
  const outfile = path.join(appDir, 'dist', 'main.js');
  const result = await build({
    absWorkingDir: options.repoRoot,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    sourcemap: true,
    external,
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'warning',
    legalComments: 'none',
    write: false,
  });
  // Each file is written beside its final name and renamed into place, source map first: a test or a process
  // that runs the bundle while another build of the same app is writing it sees the old or the new bundle whole,
  // never a half-written one.
  await mkdir(path.dirname(outfile), { recursive: true });
  const files = [...result.outputFiles].sort((a, b) => Number(b.path.endsWith('.map')) - Number(a.path.endsWith('.map')));
  for (const file of files) {
    const partial = `${file.path}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`;
    await writeFile(partial, file.contents);
    await rename(partial, file.path);
  }
  const { size } = await stat(outfile);
  return { outfile, bytes: size, external };
}

async function readRuntimeDependencies(repoRoot: string): Promise<string[]> {
  const manifest = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  return Object.keys(manifest.dependencies ?? {}).sort();
}
