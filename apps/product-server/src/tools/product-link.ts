import type { ResourceLinkSpec } from '@mcpfed/mcp-runtime';

/** A `resource_link` to a product (`product://{sku}`): catalog and inventory tool results link products alike. */
export function productLink(sku: string): ResourceLinkSpec {
  return { uri: `product://${sku}`, name: sku, title: `Product ${sku}`, mimeType: 'application/json' };
}
