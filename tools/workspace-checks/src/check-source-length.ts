import { readFileSync } from 'node:fs';
import path from 'node:path';
import { listProductionFiles } from './list-production-files.ts';

/** The longest a production source file may be, in lines: a file over it is usually two files. */
export const MAX_SOURCE_LINES = 300;

/**
 * The production files under `dir` longer than `limit` lines, as `<file>: <n> lines` (paths relative to `dir`).
 * Tests and fixtures under test/ are not counted.
 */
export function checkSourceLength(dir: string, limit = MAX_SOURCE_LINES): string[] {
  const problems: string[] = [];
  for (const file of listProductionFiles(dir)) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const lines = text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
    if (lines > limit) problems.push(`${file}: ${lines} lines (at most ${limit})`);
  }
  return problems;
}
