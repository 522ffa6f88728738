import { appMain } from '../fixtures/app-database.ts';
import { paymentAuthorizeRequests, paymentDatabase, paymentServerEnv } from '../fixtures/payment-database.ts';
import { mcpHeaders } from './scenario.ts';
import type { Scenario } from './scenario.ts';
import { startMcpTarget } from './start-target.ts';

/**
 * The real payment server authorizing over Streamable HTTP: every request a new idempotency key, so each one is a
 * full money movement — claim and limit reservation (tx1), the sandbox provider's own transaction, the payment and
 * its balanced ledger transaction (tx2), and the expiry job in Redis.
 */
export const paymentAuthorizeScenario: Scenario = {
  name: 'payment_authorize',
  description: 'payment-server `serve`: POST /mcp tools/call payment_authorize, pm_card_visa, a new idempotency key per request',
  comparedTo: 'baseline',
  async prepare(context) {
    const database = await paymentDatabase(context);
    const token = await (await context.issuer()).token(['payment:write', 'customer:any'], 'payment-server');
    return {
      headers: mcpHeaders(token),
      requests: paymentAuthorizeRequests(),
      start: (run) =>
        startMcpTarget(context, {
          name: 'payment-server',
          run,
          args: [appMain('payment-server'), 'serve'],
          env: (port) => paymentServerEnv(context, { databaseUrl: database.url, port, queuePrefix: database.queuePrefix }),
          readyPath: '/readyz',
        }),
    };
  },
};
