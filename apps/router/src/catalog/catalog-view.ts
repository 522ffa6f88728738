import { AppError } from '@mcpfed/errors';
import { FULL_VIEW, describeView, inView } from '@mcpfed/mcp-runtime';
import type { ViewSelection } from '@mcpfed/mcp-runtime';
import type { Catalog } from './catalog.ts';

/**
 * The tool definitions a caller with `scopes` sees in `selection` of `catalog`: the catalog's own scope filter,
 * then the view's (toolsets, read-only). The lazy view lists its meta-tools instead (see lazy-tools.ts).
 */
export function viewTools(catalog: Catalog, scopes: ReadonlySet<string>, selection: ViewSelection = FULL_VIEW): Array<Record<string, unknown>> {
  const tools = catalog.listTools(scopes);
  if (selection.toolsets.length === 0 && !selection.readOnly) return tools;
  return tools.filter((tool) => inView(selection, String(tool['name']), tool['annotations']));
}

/**
 * The refusal of a tool that exists but lies outside the view the caller connected to: the same structured
 * FORBIDDEN as a missing scope, so a model reads it the same way (do not retry as is), naming what would serve it.
 * Undefined when the tool is in the view.
 */
export function outsideView(catalog: Catalog, name: string, selection: ViewSelection): AppError | undefined {
  if (selection.toolsets.length === 0 && !selection.readOnly) return undefined;
  const definition = catalog.toolDefinition(name);
  // A former name is in the view exactly when the tool it names is.
  if (definition === undefined || inView(selection, String(definition['name']), definition['annotations'])) return undefined;
  return new AppError(
    'FORBIDDEN',
    `${name} is not in this view (${describeView(selection)}). Use a tool the view lists, or connect to a view that includes it (POST /mcp for every tool); do not retry as is.`,
    {
      details: { view: { toolsets: [...selection.toolsets], read_only: selection.readOnly } },
    },
  );
}
