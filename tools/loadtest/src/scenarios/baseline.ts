import path from 'node:path';
import { customerDatabase, customerGetRequests } from '../fixtures/customer-database.ts';
import type { Scenario } from './scenario.ts';
import { startMcpTarget } from './start-target.ts';

/** The bare ceiling: node:http + pg doing customer_get's point read (`src/baseline-server.ts`). */
export const baselineScenario: Scenario = {
  name: 'baseline',
  description: 'node:http + pg (pool of 10): JSON-RPC tools/call with the customer_get point read, nothing else',
  async prepare(context) {
    const database = await customerDatabase(context);
    return {
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      requests: customerGetRequests(database.ids),
      start: (run) =>
        startMcpTarget(context, {
          name: 'baseline-server',
          run,
          args: [path.join(import.meta.dirname, '..', 'baseline-server.ts')],
          env: (port) => ({ DATABASE_URL: database.url, PORT: String(port), HOST: '127.0.0.1' }),
          readyPath: '/healthz',
        }),
    };
  },
};
