/**
 * `npm run conformance -- --target <name>=<url> [--target …]`: runs the server scenarios of the official MCP
 * conformance suite (@modelcontextprotocol/conformance) that apply to mcpfed against running endpoints (e.g. those
 * of `npm start`), lists the ones it skips and why, and exits 1 when a check failed. Each target's bearer token is
 * read from the environment variable `MCPFED_TOKEN_<NAME>` (name upper-cased, `-` as `_`), else `MCPFED_TOKEN`.
 * The suite needs Node 22 or later: run it with the repository's node (`npm run` does).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runConformance } from './run-conformance.ts';
import type { ConformanceTarget } from './run-conformance.ts';
import { CONFORMANCE_SCENARIOS, SKIPPED_SCENARIOS } from './scenarios.ts';

const { values } = parseArgs({ options: { target: { type: 'string', multiple: true }, scenario: { type: 'string', multiple: true } } });
const targets: ConformanceTarget[] = [];
for (const spec of values.target ?? []) {
  const at = spec.indexOf('=');
  const name = at > 0 ? spec.slice(0, at) : '';
  const url = spec.slice(at + 1);
  const token = process.env[`MCPFED_TOKEN_${name.toUpperCase().replaceAll('-', '_')}`] ?? process.env['MCPFED_TOKEN'];
  if (!name || !URL.canParse(url) || new URL(url).protocol !== 'http:' || !token) {
    process.stderr.write(`conformance: --target needs <name>=<http://url> and a token in MCPFED_TOKEN_<NAME> or MCPFED_TOKEN (${spec})\n`);
    process.exit(2);
  }
  targets.push({ name, url, token });
}
if (targets.length === 0) {
  process.stderr.write(
    'usage: npm run conformance -- --target router=http://127.0.0.1:8080/mcp [--target customer=http://127.0.0.1:8081/mcp …] [--scenario …]\n',
  );
  process.exit(2);
}
const packageJson = createRequire(import.meta.url).resolve('@modelcontextprotocol/conformance/package.json');
const bin = path.join(path.dirname(packageJson), 'dist', 'index.js');
const outcomes = await runConformance(targets, values.scenario ?? CONFORMANCE_SCENARIOS, bin);
for (const outcome of outcomes) {
  const status = outcome.failures.length === 0 ? 'pass' : 'FAIL';
  process.stdout.write(`${status}  ${outcome.target.padEnd(12)} ${outcome.scenario.padEnd(28)} ${outcome.passed} checks passed\n`);
  for (const failure of outcome.failures) process.stdout.write(`        ${failure}\n`);
}
process.stdout.write('\nskipped:\n');
for (const [scenario, why] of Object.entries(SKIPPED_SCENARIOS)) process.stdout.write(`  ${scenario.padEnd(30)} ${why}\n`);
if (outcomes.some((o) => o.failures.length > 0)) process.exitCode = 1;
