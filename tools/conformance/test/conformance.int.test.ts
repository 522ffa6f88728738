import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '@mcpfed/contract-common';
import { FEDERATION_DOMAINS, startFederationProcesses } from '@mcpfed/testing';
import type { FederationProcesses } from '@mcpfed/testing';
import { listServerScenarios } from '../src/list-server-scenarios.ts';
import { runConformance } from '../src/run-conformance.ts';
import { CONFORMANCE_SCENARIOS, SKIPPED_SCENARIOS } from '../src/scenarios.ts';

const ENDPOINTS = [...FEDERATION_DOMAINS, 'router' as const];
const BIN = path.join(path.dirname(createRequire(import.meta.url).resolve('@modelcontextprotocol/conformance/package.json')), 'dist', 'index.js');

describe('the official MCP conformance suite against every mcpfed endpoint', () => {
  let federation: FederationProcesses;
  beforeAll(async () => {
    federation = await startFederationProcesses({ name: 'conf', scopes: SCOPES });
  }, 120_000);
  afterAll(async () => {
    await federation?.close();
  });

  it('passes every applicable server scenario at the four domain servers and the router', async () => {
    const targets = await Promise.all(ENDPOINTS.map(async (name) => ({ name, url: federation.endpoints[name], token: await federation.token(name, SCOPES) })));
    const started = Date.now();
    const outcomes = await runConformance(targets, CONFORMANCE_SCENARIOS, BIN);
    for (const o of outcomes)
      process.stdout.write(`${o.failures.length === 0 ? 'pass' : 'FAIL'}  ${o.target.padEnd(9)} ${o.scenario.padEnd(26)} ${o.passed} checks passed\n`);
    process.stdout.write(`conformance: ${outcomes.length} runs in ${Math.round((Date.now() - started) / 1000)} s\n`);
    expect(outcomes.map((o) => `${o.target} ${o.scenario}`)).toEqual(
      ENDPOINTS.flatMap((name) => CONFORMANCE_SCENARIOS.map((scenario) => `${name} ${scenario}`)),
    );
    expect(outcomes.filter((o) => o.failures.length > 0).map((o) => ({ target: o.target, scenario: o.scenario, failures: o.failures }))).toEqual([]);
    for (const o of outcomes) expect(o.passed, `${o.target} ${o.scenario}`).toBeGreaterThan(0);
  }, 240_000);

  it('skips exactly the documented scenarios, each with a reason, none of them also run', () => {
    expect(Object.keys(SKIPPED_SCENARIOS).sort()).toEqual(
      [
        'tools-call-simple-text',
        'tools-call-image',
        'tools-call-audio',
        'tools-call-embedded-resource',
        'tools-call-mixed-content',
        'tools-call-with-logging',
        'tools-call-error',
        'tools-call-with-progress',
        'tools-call-sampling',
        'tools-call-elicitation',
        'elicitation-sep1034-defaults',
        'elicitation-sep1330-enums',
        'json-schema-2020-12',
        'resources-read-text',
        'resources-read-binary',
        'resources-templates-read',
        'prompts-get-simple',
        'prompts-get-with-args',
        'prompts-get-embedded-resource',
        'prompts-get-with-image',
        'completion-complete',
        'resources-subscribe',
        'resources-unsubscribe',
        'server-sse-polling',
        'server-sse-multiple-streams',
      ].sort(),
    );
    for (const why of Object.values(SKIPPED_SCENARIOS)) expect(why.length).toBeGreaterThan(20);
    expect(CONFORMANCE_SCENARIOS.filter((scenario) => scenario in SKIPPED_SCENARIOS)).toEqual([]);
  });

  it('runs or skips (with a reason) every server scenario the installed suite lists, and names none it lacks', async () => {
    const listed = await listServerScenarios(BIN);
    expect(new Set(listed).size).toBe(listed.length);
    expect(new Set(CONFORMANCE_SCENARIOS).size).toBe(CONFORMANCE_SCENARIOS.length);
    expect([...CONFORMANCE_SCENARIOS, ...Object.keys(SKIPPED_SCENARIOS)].sort()).toEqual([...listed].sort());
  }, 30_000);
});
