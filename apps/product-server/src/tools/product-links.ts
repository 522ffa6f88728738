import type { ResourceLinkSpec } from '@mcpfed/mcp-runtime';
import { productLink } from './product-link.ts';

/** `resource_link`s to the catalog's products (`product://{sku}`), one per distinct sku. */
export function productLinks(skus: Iterable<string>): ResourceLinkSpec[] {
  return [...new Set(skus)].map(productLink);
}
