import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { listProductionFiles } from './list-production-files.ts';

const SDK = /^@modelcontextprotocol\//;

/**
 * The production files under `dir` that import the MCP SDK (`@modelcontextprotocol/*`: static, type-only, re-export,
 * dynamic `import()` or `require`), as `<file>: imports <module>` lines. Only platform/mcp-runtime, platform/federation
 * and the router may; a domain app binds through the runtime and a contract is pure zod.
 */
export function findSdkImports(dir: string): string[] {
  const problems: string[] = [];
  for (const file of listProductionFiles(dir)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(path.join(dir, file), 'utf8'), true, true);
    for (const imported of importedFiles) if (SDK.test(imported.fileName)) problems.push(`${file}: imports ${imported.fileName}`);
  }
  return problems;
}
