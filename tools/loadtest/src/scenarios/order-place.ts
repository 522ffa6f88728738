import { appMain } from '../fixtures/app-database.ts';
import { orderFederation, orderPlaceRequests } from '../fixtures/order-federation.ts';
import { mcpHeaders } from './scenario.ts';
import type { Scenario } from './scenario.ts';
import { startMcpTarget } from './start-target.ts';

/**
 * The whole checkout: the order server's `order_place` waits for the saga (customer eligibility, stock reservation
 * priced by the product server, payment authorization, confirmation, capture, stock commit) over the real customer,
 * product and payment servers on this machine. Requests per second here are orders per second; the target of
 * docs/architecture.md §10 is >= 50 orders/s with p99 < 1 s.
 */
export const orderPlaceScenario: Scenario = {
  name: 'order_place',
  description: 'order-server `serve`: tools/call order_place waiting for the checkout saga over customer, product and payment servers (orders/s; target >= 50)',
  targets: { minRequestsPerSecond: 50, maxP99Ms: 1000 },
  async prepare(context) {
    const fixture = await orderFederation(context);
    return {
      headers: mcpHeaders(fixture.token),
      requests: orderPlaceRequests(fixture),
      start: (run) =>
        startMcpTarget(context, {
          name: 'order-server',
          run,
          args: [appMain('order-server'), 'serve'],
          env: (port) => fixture.orderEnv(port),
          readyPath: '/readyz',
        }),
    };
  },
};
