import type { DomainContract } from '@mcpfed/contract-common';
import { customerContract } from '@mcpfed/contract-customer';
import { orderContract } from '@mcpfed/contract-order';
import { paymentContract } from '@mcpfed/contract-payment';
import { productContract } from '@mcpfed/contract-product';
import { LAZY_TOOL_DEFINITIONS, META_SCOPES, inView, toolDefinition } from '@mcpfed/mcp-runtime';
import type { ViewSelection } from '@mcpfed/mcp-runtime';

/** The domain contracts in the order `npm start` lists them in ROUTER_UPSTREAMS (the order decides collisions). */
export const FEDERATION_CONTRACTS: readonly DomainContract[] = [customerContract, orderContract, productContract, paymentContract];

/** Default deadline of every server (`defaultDeadlineMs` of the runtime), published in each tool's `_meta`. */
const DEFAULT_DEADLINE_MS = 5000;

/** `_meta` key the router adds to each tool: the upstream serving it. */
const UPSTREAM_META = 'io.mcpfed/upstream';

/**
 * Every tool definition of the merged catalog as the router lists it at `/mcp` to a caller holding every scope:
 * each server's definition from the runtime's own conversion ({@link toolDefinition}), with the `_meta` the
 * router adds. A test holds this equal to a live router's tools/list, so the report measures the wire.
 */
export function federationTools(): Array<Record<string, unknown>> {
  const seen = new Set<string>();
  const out: Array<Record<string, unknown>> = [];
  for (const contract of FEDERATION_CONTRACTS) {
    for (const tool of contract.tools) {
      if (seen.has(tool.name)) continue;
      seen.add(tool.name);
      const json = toolDefinition(tool, DEFAULT_DEADLINE_MS);
      out.push({ ...json, _meta: { ...(json['_meta'] as Record<string, unknown>), [UPSTREAM_META]: contract.domain } });
    }
  }
  return out;
}

/** What a caller with `scopes` is listed in `selection` of `tools`: the router's scope filter, then the view's. */
export function toolsInView(
  tools: ReadonlyArray<Record<string, unknown>>,
  scopes: ReadonlySet<string>,
  selection: ViewSelection,
): Array<Record<string, unknown>> {
  if (selection.lazy) return [...LAZY_TOOL_DEFINITIONS];
  return tools.filter((tool) => {
    const needed = ((tool['_meta'] as Record<string, unknown>)[META_SCOPES] as string[] | undefined) ?? [];
    return needed.every((scope) => scopes.has(scope)) && inView(selection, String(tool['name']), tool['annotations']);
  });
}
