import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const CODE = "import type { Tool } from '@modelcontextprotocol/sdk/types.js';\n\nexport type Probe = Tool;\n";

/** The `no-restricted-imports` messages of linting the probe as if it were `relativePath` (it is not written to disk). */
async function restrictedImports(eslint: ESLint, relativePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(CODE, { filePath: path.join(repoRoot, relativePath) });
  if (result === undefined) throw new Error(`no lint result for ${relativePath}`);
  return result.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('lint: the MCP SDK only in mcp-runtime, federation and the router (docs/architecture.md §1)', () => {
  let eslint: ESLint;

  beforeAll(() => {
    eslint = new ESLint({ cwd: repoRoot });
  });

  it.each(['apps/customer-server/src/tools/sdk-probe.ts', 'apps/product-server/src/catalog/service/sdk-probe.ts', 'libs/contracts/order/src/sdk-probe.ts'])(
    'refuses it in %s',
    async (file) => {
      expect(await restrictedImports(eslint, file)).toEqual([expect.stringContaining("'@modelcontextprotocol/sdk/types.js' import is restricted")]);
    },
  );

  it.each([
    'apps/customer-server/test/sdk-probe.ts',
    'apps/order-server/src/service/sdk-probe.test.ts',
    'apps/router/src/sdk-probe.ts',
    'libs/platform/mcp-runtime/src/sdk-probe.ts',
    'libs/platform/federation/src/sdk-probe.ts',
  ])('allows it in %s', async (file) => {
    expect(await restrictedImports(eslint, file)).toEqual([]);
  });
});
