import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAppLayout, checkSourceLength, findSdkImports } from '../src/index.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const folders = (parent: string) =>
  readdirSync(path.join(repoRoot, parent), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `${parent}/${entry.name}`);
const DOMAIN_APPS = folders('apps').filter((app) => app.endsWith('-server'));

describe('the layout of the domain apps (docs/architecture.md §1)', () => {
  it('finds the domain apps', () => {
    expect(DOMAIN_APPS.length).toBeGreaterThanOrEqual(4);
  });

  it.each(DOMAIN_APPS)('%s has the rooms, no SDK in production code, and stores that pass the signal on', (app) => {
    expect(checkAppLayout(path.join(repoRoot, app))).toEqual([]);
  });

  it.each(folders('libs/contracts'))('%s (a contract) does not import the MCP SDK', (contract) => {
    expect(findSdkImports(path.join(repoRoot, contract))).toEqual([]);
  });
});

describe('production source files', () => {
  it.each([...folders('apps'), ...folders('libs/platform'), ...folders('libs/contracts'), ...folders('tools').map((tool) => `${tool}/src`)])(
    '%s has none over 300 lines',
    (dir) => {
      expect(checkSourceLength(path.join(repoRoot, dir))).toEqual([]);
    },
  );
});
