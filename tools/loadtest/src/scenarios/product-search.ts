import { PRODUCT_SERVER_MAIN, productDatabase, productSearchRequests, productServerEnv } from '../fixtures/product-database.ts';
import { mcpHeaders } from './scenario.ts';
import type { Scenario } from './scenario.ts';
import { startMcpTarget } from './start-target.ts';

/**
 * The product server answering a mix of product_search calls (typos, filters, facets, browsing) on 200,000
 * seeded products (`--product-count`), with 8 connections: the catalog's latency target is p95 < 50 ms there, up
 * to 1,000,000 products.
 */
export const productSearchScenario: Scenario = {
  name: 'product_search',
  description: 'product-server `serve`: POST /mcp tools/call product_search, mixed queries on --product-count products (default 200k; 8 connections)',
  comparedTo: 'baseline',
  targets: { maxP95Ms: 50 },
  connections: 8,
  async prepare(context) {
    const database = await productDatabase(context);
    const token = await (await context.issuer()).token(['product:read'], 'product-server');
    return {
      headers: mcpHeaders(token),
      requests: productSearchRequests(),
      start: (run) =>
        startMcpTarget(context, {
          name: 'product-server',
          run,
          args: [PRODUCT_SERVER_MAIN, 'serve'],
          env: (port) => productServerEnv(context, { databaseUrl: database.url, port }),
          readyPath: '/readyz',
        }),
    };
  },
};
