import path from 'node:path';
import { createProjectGraphAsync } from '@nx/devkit';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const RULE = '@nx/enforce-module-boundaries';

/**
 * Lints a probe file that does not exist on disk, placed inside a real project so that the rule sees that
 * project's tags. Returns the rule ids reported (only errors and warnings of rules, not parse errors).
 */
async function lintProbe(eslint: ESLint, relativePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, relativePath) });
  if (result === undefined) throw new Error(`no lint result for ${relativePath}`);
  const fatal = result.messages.filter((message) => message.fatal === true);
  if (fatal.length > 0) throw new Error(`probe did not parse: ${fatal.map((m) => m.message).join('; ')}`);
  return result.messages.map((message) => message.ruleId ?? '<none>');
}

describe('@nx/enforce-module-boundaries (docs/architecture.md §1)', () => {
  let eslint: ESLint;

  beforeAll(async () => {
    // The rule reads the cached project graph; refresh it so projects and tags added since the last nx run count.
    const previousCwd = process.cwd();
    process.chdir(repoRoot);
    try {
      await createProjectGraphAsync({ exitOnError: false });
    } finally {
      process.chdir(previousCwd);
    }
    eslint = new ESLint({ cwd: repoRoot });
  });

  it.each([
    {
      rule: 'a platform library must not import an app',
      file: 'libs/platform/errors/src/boundary-probe.ts',
      code: "import { x } from '@mcpfed/customer-server';\nexport const y = x;\n",
    },
    {
      rule: 'a platform library must not import a contract',
      file: 'libs/platform/db/src/boundary-probe.ts',
      code: "import { customerContract } from '@mcpfed/contract-customer';\nexport const y = customerContract;\n",
    },
    {
      rule: 'an app must not import a tool',
      file: 'apps/customer-server/src/boundary-probe.ts',
      code: "import { SERVICES } from '@mcpfed/dev-stack';\nexport const y = SERVICES;\n",
    },
  ])('reports $rule', async ({ file, code }) => {
    expect(await lintProbe(eslint, file, code)).toEqual([RULE]);
  });

  it('allows an app to import a platform library', async () => {
    const rules = await lintProbe(
      eslint,
      'apps/customer-server/src/boundary-probe.ts',
      "import { AppError } from '@mcpfed/errors';\nexport const y = AppError;\n",
    );
    expect(rules).toEqual([]);
  });
});
