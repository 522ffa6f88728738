import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/**
 * Module boundaries follow docs/architecture.md §1. Tags live in each project's package.json (`nx.tags`).
 * - type:app       -> platform, contracts (never another app)
 * - type:platform  -> platform, and the contract kit (libs/contracts/common: the shape of a contract, pure zod)
 *                     so the runtime can register any domain's contract without knowing the domain
 * - type:contract  -> contracts and the errors library (pure data, no I/O)
 * - type:tool      -> platform, contracts, other tools
 * - scope:router   -> scope:shared only: the router learns tools at run time
 */
export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.data/**', '.nx/**', '**/coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allowCircularSelfDependency: false,
          banTransitiveDependencies: false,
          allow: [],
          // db's integration tests use the testing helpers, which build on db: a project cycle only through
          // test files (no file-level cycle), so it is allowed here rather than silenced file by file.
          ignoredCircularDependencies: [['db', 'testing']],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:platform', 'type:contract'] },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform', 'contract-kit'] },
            { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:contract', 'contract-safe'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:platform', 'type:contract', 'type:tool'] },
            { sourceTag: 'scope:router', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
    },
  },
  {
    // In production code only platform/mcp-runtime, platform/federation and the router speak MCP through the SDK: a
    // domain app binds its contract with the runtime, and a contract is pure zod (docs/architecture.md §1). Tests
    // may drive servers with the SDK client.
    files: ['apps/*/**/*.ts', 'libs/contracts/*/**/*.ts'],
    ignores: ['apps/router/**', '**/*.test.ts', '**/test/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@modelcontextprotocol/*'],
              message: 'Only mcp-runtime, federation and the router import the MCP SDK in production code; bind through @mcpfed/mcp-runtime.',
            },
          ],
        },
      ],
    },
  },
);
