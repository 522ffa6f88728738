/**
 * `node tools/build/src/build-app.ts <app>`: bundles apps/<app>/src/main.ts into apps/<app>/dist/main.js.
 * Exit codes: 0 built, 1 build failed, 2 bad arguments.
 */
import path from 'node:path';
import { bundleApp } from './bundle-app.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const [app, ...rest] = process.argv.slice(2);

if (app === undefined || rest.length > 0 || app.startsWith('-')) {
  process.stderr.write('usage: node tools/build/src/build-app.ts <app>   (e.g. customer-server)\n');
  process.exit(2);
}

try {
  const result = await bundleApp({ app, repoRoot });
  const kib = (result.bytes / 1024).toFixed(1);
  process.stdout.write(`built ${path.relative(process.cwd(), result.outfile)} (${kib} KiB)\n`);
} catch (error) {
  process.stderr.write(`build of ${app} failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
