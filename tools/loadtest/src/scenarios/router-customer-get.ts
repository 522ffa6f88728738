import { SCOPES } from '@mcpfed/contract-common';
import { DEV_SERVICE_CLIENTS } from '@mcpfed/dev-stack';
import { benchResource } from '../bench-context.ts';
import type { BenchApp, BenchContext } from '../bench-context.ts';
import { appDatabase, appMain } from '../fixtures/app-database.ts';
import { benchServerEnv } from '../fixtures/bench-server-env.ts';
import { customerDatabase, customerGetRequests, modernCustomerGetRequests } from '../fixtures/customer-database.ts';
import { mcpHeaders, modernToolCallHeaders } from './scenario.ts';
import { customerGetScenario } from './customer-get.ts';
import type { RunningTarget, Scenario } from './scenario.ts';
import { startMcpTarget } from './start-target.ts';

/** The service clients of the bench's dev provider: the dev stack's (the order server's saga is never run here). */
const ROUTER_CLIENT = DEV_SERVICE_CLIENTS.router;
const ORDER_CLIENT = DEV_SERVICE_CLIENTS['order-server'];
/** The other domain servers, started once (on migrated, empty databases) to measure the whole catalog. */
const CATALOG_APPS: readonly BenchApp[] = ['order-server', 'product-server', 'payment-server'];

/**
 * Node flags of the routers a bench starts: with `BENCH_CPU_PROF_DIR` set, each writes a V8 CPU profile there when it
 * stops (`--cpu-prof`), to see where the forwarding path spends its time under the bench's load.
 */
function routerNodeFlags(): string[] {
  const dir = process.env['BENCH_CPU_PROF_DIR'];
  return dir === undefined || dir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/** CPU seconds the router used so far and the requests it forwarded, from its `/metrics`. */
async function routerUsage(mcpUrl: string): Promise<{ cpuSeconds: number; forwarded: number }> {
  const text = await (await fetch(new URL('/metrics', mcpUrl))).text();
  const sum = (prefix: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(prefix))
      .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return {
    cpuSeconds: sum('process_cpu_user_seconds_total') + sum('process_cpu_system_seconds_total'),
    forwarded: sum('router_upstream_request_duration_seconds_count'),
  };
}

/** The support agent of issue 6: reads customers and orders. */
const SUPPORT_AGENT_SCOPES = ['customer:read', 'order:read'];

/** Characters of the `tools/list` answer the router gives a token with `scopes`. */
async function toolsListSize(url: string, token: string): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers: mcpHeaders(token), body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
  if (response.status !== 200) throw new Error(`tools/list through the router answered HTTP ${response.status}`);
  return (await response.text()).length;
}

/**
 * Starts order, product and payment servers on migrated, empty databases and a second router over them and
 * `customer`, and prints the size of the whole catalog's `tools/list` for an all-scopes token and for the
 * support agent. Everything it starts is stopped before the measurement.
 */
async function printCatalogSizes(context: BenchContext, customerUrl: string): Promise<void> {
  const issuer = await context.issuer();
  const started: RunningTarget[] = [];
  try {
    const upstreams = [{ name: 'customer', url: customerUrl, resource: benchResource('customer-server') }];
    for (const app of CATALOG_APPS) {
      const database = await appDatabase(context, {
        app,
        label: `catalog_${app.split('-')[0] ?? app}`,
        env: (databaseUrl) => benchServerEnv(context, { app, databaseUrl, port: 8082 }),
        commands: [['migrate']],
      });
      const server = await startMcpTarget(context, {
        name: `catalog-${app}`,
        run: 1,
        args: [appMain(app), 'serve'],
        env: async (port) => ({
          ...(await benchServerEnv(context, { app, databaseUrl: database.url, port })),
          AUTH_TOKEN_URL: issuer.tokenUrl,
          SERVICE_CLIENT_SECRET: ORDER_CLIENT.secret,
          QUEUE_PREFIX: context.redisPrefix(`mcpfed-bench-catalog-${app}`),
        }),
        readyPath: '/readyz',
      });
      started.push(server);
      upstreams.push({ name: app.split('-')[0] ?? app, url: server.url, resource: benchResource(app) });
    }
    const router = await startMcpTarget(context, {
      name: 'catalog-router',
      run: 1,
      args: [appMain('router'), 'serve'],
      env: async (port) => ({
        ...(await benchServerEnv(context, { app: 'router', databaseUrl: 'postgres://unused@127.0.0.1/unused', port })),
        ROUTER_UPSTREAMS: JSON.stringify({ upstreams }),
        AUTH_TOKEN_URL: issuer.tokenUrl,
        SERVICE_CLIENT_SECRET: ROUTER_CLIENT.secret,
      }),
      readyPath: '/readyz',
    });
    started.push(router);
    const all = await toolsListSize(router.url, await issuer.token(SCOPES, 'router'));
    const agent = await toolsListSize(router.url, await issuer.token(SUPPORT_AGENT_SCOPES, 'router'));
    process.stderr.write(
      `router tools/list over ${upstreams.map((u) => u.name).join(', ')}: ${all} characters for an all-scopes token, ${agent} for "${SUPPORT_AGENT_SCOPES.join(' ')}" (${(agent / all).toFixed(2)}x)\n`,
    );
  } finally {
    for (const target of started.reverse()) await target.stop();
  }
}

/**
 * Prepares `customer_get` sent through a router to a customer server of its own; with `printCatalog`, the first run
 * also prints the size of the whole federation's `tools/list` for an all-scopes token and for the support agent.
 */
function routedCustomerGet(printCatalog: boolean, modern = false): Scenario['prepare'] {
  return async (context) => {
    const database = await customerDatabase(context);
    const issuer = await context.issuer();
    // The caller's token is the router's; the router exchanges it for one to the customer server on each call's way.
    const token = await issuer.token(['customer:read', 'customer:any'], 'router');
    return {
      headers: modern ? modernToolCallHeaders(token, 'customer_get') : mcpHeaders(token),
      requests: modern ? modernCustomerGetRequests(database.ids) : customerGetRequests(database.ids),
      async start(run): Promise<RunningTarget> {
        const customer = await startMcpTarget(context, {
          name: 'router-upstream-customer-server',
          run,
          args: [appMain('customer-server'), 'serve'],
          env: (port) => benchServerEnv(context, { app: 'customer-server', databaseUrl: database.url, port }),
          readyPath: '/readyz',
        });
        try {
          const router = await startMcpTarget(context, {
            name: 'router',
            run,
            args: [...routerNodeFlags(), appMain('router'), 'serve'],
            env: async (port) => ({
              ...(await benchServerEnv(context, { app: 'router', databaseUrl: database.url, port })),
              ROUTER_UPSTREAMS: JSON.stringify({
                upstreams: [{ name: 'customer', url: customer.url, resource: benchResource('customer-server'), concurrency: 256 }],
              }),
              AUTH_TOKEN_URL: issuer.tokenUrl,
              SERVICE_CLIENT_SECRET: ROUTER_CLIENT.secret,
            }),
            readyPath: '/readyz',
          });
          if (printCatalog && run === 1) await printCatalogSizes(context, customer.url);
          // The router's own CPU per forwarded call over warm-up and measurement (from its /metrics).
          const before = await routerUsage(router.url).catch(() => undefined);
          return {
            url: router.url,
            tail: () => `${router.tail()}\n--- customer-server ---\n${customer.tail()}`,
            cpuSeconds: () => {
              const [routerCpu, customerCpu] = [router.cpuSeconds?.(), customer.cpuSeconds?.()];
              return routerCpu === undefined || customerCpu === undefined ? undefined : routerCpu + customerCpu;
            },
            async stop() {
              const after = await routerUsage(router.url).catch(() => undefined);
              const calls = after === undefined || before === undefined ? 0 : after.forwarded - before.forwarded;
              if (after !== undefined && before !== undefined && calls > 0) {
                const micros = ((after.cpuSeconds - before.cpuSeconds) * 1e6) / calls;
                process.stderr.write(`bench: run ${run}: router CPU ${micros.toFixed(0)} µs per forwarded call (${calls} calls)\n`);
              }
              await router.stop();
              await customer.stop();
            },
          };
        } catch (error) {
          await customer.stop();
          throw error;
        }
      },
    };
  };
}

/**
 * The same `customer_get` load as the `customer_get` scenario, through the router (docs/architecture.md §10: the router
 * keeps >= 60% of direct throughput, checked against customer_get in the same run). Before its first run it also
 * prints the size of the federation's `tools/list` for an all-scopes token and for `customer:read order:read`.
 */
export const routerCustomerGetScenario: Scenario = {
  name: 'router_customer_get',
  description: 'router `serve` -> customer-server: POST /mcp tools/call customer_get by id through the router (token with customer:read customer:any)',
  comparedTo: 'customer_get',
  // At 32 connections both paths saturate the two cores, so their p50 gap is queueing (Little's law), not routing:
  // the added latency is checked at light load by router_customer_get_latency.
  targets: { minRatio: 0.6 },
  prepare: routedCustomerGet(true),
};

/** `customer_get` direct at light load (4 connections): the reference of {@link routerCustomerGetLatencyScenario}. */
export const customerGetLatencyScenario: Scenario = {
  ...customerGetScenario,
  name: 'customer_get_latency',
  description: 'customer-server `serve`: tools/call customer_get by id at 4 connections (latency reference for the router)',
  comparedTo: undefined,
  targets: undefined,
  connections: 4,
};

/** The router's added latency: the same light load through the router; target <= 1.5 ms added at p50 (docs/architecture.md §10). */
export const routerCustomerGetLatencyScenario: Scenario = {
  ...routerCustomerGetScenario,
  name: 'router_customer_get_latency',
  description: 'router `serve` -> customer-server: tools/call customer_get at 4 connections (p50 added over customer_get_latency)',
  comparedTo: 'customer_get_latency',
  targets: { maxAddedP50Ms: 1.5 },
  connections: 4,
  prepare: routedCustomerGet(false),
};

/**
 * `router_customer_get` in MCP 2026-07-28: the router routes the call on its `Mcp-Method`/`Mcp-Name` headers without
 * parsing the body, and the customer server checks them against the body. Compared to `customer_get_2026` in the same run.
 */
export const routerCustomerGet2026Scenario: Scenario = {
  name: 'router_customer_get_2026',
  description: 'router `serve` -> customer-server: tools/call customer_get as MCP 2026-07-28, routed on Mcp-Method/Mcp-Name',
  comparedTo: 'customer_get_2026',
  targets: { minRatio: 0.6 },
  prepare: routedCustomerGet(false, true),
};
