import { readdirSync } from 'node:fs';
import path from 'node:path';

/** Folders that hold no source of the project: installed packages, build output, coverage, local data. */
const NOT_SOURCE = new Set(['node_modules', 'dist', 'coverage', '.data', '.nx']);

/** Whether a file (path relative to its project) is a test: `*.test.ts` anywhere, or anything under a `test/` folder. */
export function isTestFile(relative: string): boolean {
  return relative.endsWith('.test.ts') || relative.split(/[\\/]/).includes('test');
}

/**
 * The production TypeScript files under `dir`, as paths relative to it with `/` separators, sorted: every `.ts`
 * file that is not a test and not in installed packages or build output.
 */
export function listProductionFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!NOT_SOURCE.has(entry.name)) walk(child);
      } else if (entry.name.endsWith('.ts') && !isTestFile(child)) {
        found.push(child);
      }
    }
  };
  walk('');
  return found.sort();
}
