import { baselineScenario } from './baseline.ts';
import { customerGet2026Scenario, customerGetScenario } from './customer-get.ts';
import { orderPlaceScenario } from './order-place.ts';
import { paymentAuthorizeScenario } from './payment-authorize.ts';
import { productSearchScenario } from './product-search.ts';
import {
  customerGetLatencyScenario,
  routerCustomerGet2026Scenario,
  routerCustomerGetLatencyScenario,
  routerCustomerGetScenario,
} from './router-customer-get.ts';
import type { Scenario } from './scenario.ts';

/** Every scenario of `npm run bench`, in run order; a scenario runs after the one it is compared to. */
export const SCENARIOS: readonly Scenario[] = Object.freeze([
  baselineScenario,
  customerGetScenario,
  productSearchScenario,
  paymentAuthorizeScenario,
  orderPlaceScenario,
  routerCustomerGetScenario,
  customerGetLatencyScenario,
  routerCustomerGetLatencyScenario,
  customerGet2026Scenario,
  routerCustomerGet2026Scenario,
]);

export type { BenchRequest, PreparedScenario, RunningTarget, Scenario, ScenarioTargets } from './scenario.ts';
export { mcpHeaders, toolCallBody } from './scenario.ts';
