import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformance } from './run-conformance.ts';

const BIN = path.join(path.dirname(createRequire(import.meta.url).resolve('@modelcontextprotocol/conformance/package.json')), 'dist', 'index.js');
/** Nothing listens here: the suite refuses the scenario below before it connects. */
const TARGET = { name: 'nowhere', url: 'http://127.0.0.1:9/mcp', token: 't' };

describe('runConformance when the suite cannot run', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mcpfed-conformance-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports the suite exit and its stderr for a scenario the suite refuses, instead of an empty pass', async () => {
    const [outcome, ...rest] = await runConformance([TARGET], ['no-such-scenario'], BIN);
    expect(rest).toEqual([]);
    expect(outcome?.target).toBe('nowhere');
    expect(outcome?.passed).toBe(0);
    expect(outcome?.failures).toHaveLength(2);
    expect(outcome?.failures[0]).toBe('the suite wrote no run folder (no checks)');
    expect(outcome?.failures[1]).toMatch(/^the suite exited with code 1: Command failed: .* --scenario no-such-scenario /);
    expect(outcome?.failures[1]).toContain("Unknown scenario 'no-such-scenario'");
  }, 30_000);

  it('reports a run folder without checks.json as a failure, not a rejected run', async () => {
    // Stands in for a suite that died between creating its run folder and writing checks.json.
    const crashing = path.join(dir, 'crashing-suite.mjs');
    await writeFile(
      crashing,
      "import { mkdirSync } from 'node:fs';\nconst out = process.argv[process.argv.indexOf('-o') + 1];\nmkdirSync(`${out}/server-ping-run`);\nprocess.stderr.write('boom: out of memory\\n');\nprocess.exit(134);\n",
    );
    const outcomes = await runConformance([TARGET], ['ping'], crashing);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.passed).toBe(0);
    expect(outcomes[0]?.failures).toHaveLength(2);
    expect(outcomes[0]?.failures[0]).toMatch(/^the suite wrote no checks\.json \(no checks\): ENOENT/);
    expect(outcomes[0]?.failures[1]).toMatch(/^the suite exited with code 134: Command failed: [^\n]*\nboom: out of memory$/);
  }, 30_000);
});
