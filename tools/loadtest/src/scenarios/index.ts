import { baselineScenario } from './baseline.ts';
import { customerGetScenario } from './customer-get.ts';
import type { Scenario } from './scenario.ts';

/**
 * Every scenario of `npm run bench`, in run order; a scenario runs after the one it is compared to. Later:
 * product_search, payment_authorize, order_place, router (each compared to a baseline measured in the same run).
 */
export const SCENARIOS: readonly Scenario[] = Object.freeze([baselineScenario, customerGetScenario]);

export type { BenchRequest, PreparedScenario, RunningTarget, Scenario, ScenarioTargets } from './scenario.ts';
export { mcpHeaders, toolCallBody } from './scenario.ts';
