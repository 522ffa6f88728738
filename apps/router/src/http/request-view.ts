import type { IncomingHttpHeaders } from 'node:http';
import { FULL_VIEW, parseViewWords } from '@mcpfed/mcp-runtime';
import type { ViewSelection } from '@mcpfed/mcp-runtime';
import type { ViewName } from '../router.ts';

/** The catalog a request addresses: the merged one or an upstream's (`view`), narrowed by `selection`. */
export interface RequestView {
  view: ViewName;
  selection: ViewSelection;
}

/** Why a request's view cannot be served: 404 for a path that names nothing, 400 for a bad header or word. */
export interface ViewProblem {
  status: 400 | 404;
  message: string;
}

/**
 * The view of an MCP request, from its path and headers (GitHub's MCP server's practice: toolsets by path or by
 * header, and a read-only mode):
 * - `/mcp`: every tool; `/mcp/<upstream>`: that upstream's; `/mcp/readonly`: read-only tools only;
 * - `/mcp/x/<word>[,<word>]`: the toolsets named (their union), where the words `readonly` and `lazy` narrow
 *   to read-only tools and serve the catalog through the lazy view's meta-tools;
 * - `X-MCP-Toolsets: <word>[,<word>]` does the same on any path (not together with toolsets in the path: one place
 *   names them), `X-MCP-Readonly: true` narrows to read-only tools.
 * Every path goes through the same Origin, Host and bearer checks; a view only ever narrows what the caller's
 * scopes allow.
 */
export function requestView(path: string, headers: IncomingHttpHeaders, isUpstream: (name: string) => boolean): RequestView | ViewProblem {
  let view: ViewName;
  let selection: ViewSelection = FULL_VIEW;
  const rest = path === '/mcp' ? '' : path.slice('/mcp/'.length);
  if (rest === '') view = undefined;
  else if (rest === 'readonly') selection = { ...FULL_VIEW, readOnly: true };
  else if (rest.startsWith('x/')) {
    const parsed = parseViewWords(decodeSegment(rest.slice(2)));
    if ('problem' in parsed) return { status: 404, message: parsed.problem };
    selection = parsed;
  } else if (isUpstream(rest)) view = rest;
  else return { status: 404, message: `No view ${path}. Serve /mcp, /mcp/<upstream>, /mcp/x/<toolset>[,<toolset>] or /mcp/readonly.` };
  const toolsets = headers['x-mcp-toolsets'];
  if (typeof toolsets === 'string' && toolsets.trim() !== '') {
    const parsed = parseViewWords(toolsets);
    if ('problem' in parsed) return { status: 400, message: `X-MCP-Toolsets: ${parsed.problem}` };
    if (parsed.toolsets.length > 0 && selection.toolsets.length > 0) {
      return { status: 400, message: 'Toolsets are named in the path and in X-MCP-Toolsets: name them in one place.' };
    }
    selection = {
      toolsets: parsed.toolsets.length > 0 ? parsed.toolsets : selection.toolsets,
      readOnly: selection.readOnly || parsed.readOnly,
      lazy: selection.lazy || parsed.lazy,
    };
  }
  const readOnly = headers['x-mcp-readonly'];
  if (typeof readOnly === 'string') {
    const value = readOnly.trim().toLowerCase();
    if (value !== 'true' && value !== 'false') return { status: 400, message: 'X-MCP-Readonly must be true or false.' };
    if (value === 'true') selection = { ...selection, readOnly: true };
  }
  return { view, selection };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
