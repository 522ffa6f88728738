import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { withClient } from '@mcpfed/db';
import type { DomainDatabases, InvariantResult } from './invariants.ts';
import { callTool } from './tool-caller.ts';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
const randomId = (prefix: string): string => `${prefix}${Array.from({ length: 26 }, () => CROCKFORD[randomInt(CROCKFORD.length)]).join('')}`;

/** How long an audit row of a read may take to be written (reads are batched every second). */
const AUDIT_BOUND_MS = 10_000;

/**
 * Every server still audits: one read per domain through the router for an id that does not exist (a NOT_FOUND is
 * audited like any call), then that id must show up in the domain's `mcp_audit_log` within 10 s.
 */
export async function checkStillAudits(routerMcpUrl: string, token: string, databases: DomainDatabases): Promise<InvariantResult> {
  const probes = [
    { domain: 'customer', tool: 'customer_get', args: { id: randomId('cus_') } },
    { domain: 'order', tool: 'order_get', args: { order_id: randomId('ord_') } },
    { domain: 'product', tool: 'product_get', args: { sku: `HARNESS-${randomInt(1e9)}` } },
    { domain: 'payment', tool: 'payment_get', args: { payment_id: randomId('pay_') } },
  ] as const;
  const unanswered: string[] = [];
  for (const probe of probes) {
    const outcome = await callTool(routerMcpUrl, token, probe.tool, probe.args, 10_000);
    if (outcome.code !== 'NOT_FOUND') unanswered.push(`${probe.tool} answered ${outcome.ok ? 'ok' : outcome.code}`);
  }
  const deadline = Date.now() + AUDIT_BOUND_MS;
  let missing: string[] = [];
  do {
    missing = [];
    for (const probe of probes) {
      const marker = Object.values(probe.args)[0] as string;
      const found = await withClient(
        databases[probe.domain],
        async (client) =>
          (await client.query('SELECT 1 FROM mcp_audit_log WHERE tool = $1 AND strpos(args::text, $2) > 0 LIMIT 1', [probe.tool, marker])).rows.length > 0,
        { applicationName: 'mcpfed-fault-harness' },
      );
      if (!found) missing.push(probe.domain);
    }
    if (missing.length === 0) break;
    await sleep(250);
  } while (Date.now() < deadline);
  return {
    name: 'every server still audits',
    ok: missing.length === 0 && unanswered.length === 0,
    detail:
      missing.length === 0 && unanswered.length === 0
        ? 'a new call to each server is in its audit log'
        : `${missing.length === 0 ? '' : `not audited within ${AUDIT_BOUND_MS / 1000} s: ${missing.join(', ')}`}${unanswered.length === 0 ? '' : `; ${unanswered.join(', ')}`}`,
  };
}
