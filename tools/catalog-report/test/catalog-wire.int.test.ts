/**
 * The report measures the wire: each domain server, run as its operator runs it, lists to a caller with every scope
 * exactly the tool definitions `federationTools()` computes for it (the router adds only `_meta["io.mcpfed/upstream"]`
 * to each, which `apps/router` tests). If a server listed something else, the report's figures would be fiction.
 */
import { describe, expect, it } from 'vitest';
import { SCOPES } from '@mcpfed/contract-common';
import { startDomainServerProcess } from '@mcpfed/testing';
import { federationTools } from '../src/federation-catalog.ts';
import { measureCatalog } from '../src/measure-catalog.ts';

const UPSTREAM_META = 'io.mcpfed/upstream';

describe.each(['customer', 'order', 'product', 'payment'])('the %s server', (domain) => {
  it('lists exactly the definitions the report measures', async () => {
    const app = await startDomainServerProcess({ app: `${domain}-server`, label: `catrep_${domain.slice(0, 3)}`, scopes: SCOPES });
    try {
      const client = await app.httpClient(SCOPES);
      const listed = (await client.listTools()).tools;
      const expected = federationTools()
        .filter((tool) => (tool['_meta'] as Record<string, unknown>)[UPSTREAM_META] === domain)
        .map(({ _meta, ...tool }) => {
          const { [UPSTREAM_META]: _upstream, ...meta } = _meta as Record<string, unknown>;
          return { ...tool, _meta: meta };
        });
      expect(JSON.parse(JSON.stringify(listed))).toEqual(expected);
      expect(measureCatalog(listed as Array<Record<string, unknown>>).tools).toBe(expected.length);
      await client.close();
    } finally {
      await app.close();
    }
  }, 120_000);
});
