export { CONFORMANCE_SCENARIOS, SKIPPED_SCENARIOS } from './scenarios.ts';
export { startAuthProxy } from './auth-proxy.ts';
export type { AuthProxy } from './auth-proxy.ts';
export { listServerScenarios } from './list-server-scenarios.ts';
export { runConformance } from './run-conformance.ts';
export type { ConformanceTarget, ScenarioOutcome } from './run-conformance.ts';
