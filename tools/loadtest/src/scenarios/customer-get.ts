import { appMain } from '../fixtures/app-database.ts';
import { benchServerEnv } from '../fixtures/bench-server-env.ts';
import { customerDatabase, customerGetRequests, modernCustomerGetRequests } from '../fixtures/customer-database.ts';
import { mcpHeaders, modernToolCallHeaders } from './scenario.ts';
import type { Scenario } from './scenario.ts';
import { startMcpTarget } from './start-target.ts';

/** The real customer server answering `tools/call customer_get` over Streamable HTTP with a bearer token. */
export const customerGetScenario: Scenario = {
  name: 'customer_get',
  description: 'customer-server `serve`: POST /mcp tools/call customer_get by id (token with customer:read customer:any)',
  comparedTo: 'baseline',
  targets: { minRatio: 0.3, maxP99Ms: 25 },
  async prepare(context) {
    const database = await customerDatabase(context);
    const token = await (await context.issuer()).token(['customer:read', 'customer:any'], 'customer-server');
    return {
      headers: mcpHeaders(token),
      requests: customerGetRequests(database.ids),
      start: (run) =>
        startMcpTarget(context, {
          name: 'customer-server',
          run,
          args: [appMain('customer-server'), 'serve'],
          env: (port) => benchServerEnv(context, { app: 'customer-server', databaseUrl: database.url, port }),
          readyPath: '/readyz',
        }),
    };
  },
};

/** `customer_get` direct in MCP 2026-07-28 (`_meta` envelope, `Mcp-Method`/`Mcp-Name` headers): the reference of the 2026 router scenario. */
export const customerGet2026Scenario: Scenario = {
  name: 'customer_get_2026',
  description: 'customer-server `serve`: POST /mcp tools/call customer_get by id as MCP 2026-07-28 (same token)',
  comparedTo: 'baseline',
  async prepare(context) {
    const prepared = await customerGetScenario.prepare(context);
    const database = await customerDatabase(context);
    const token = await (await context.issuer()).token(['customer:read', 'customer:any'], 'customer-server');
    return { ...prepared, headers: modernToolCallHeaders(token, 'customer_get'), requests: modernCustomerGetRequests(database.ids) };
  },
};
