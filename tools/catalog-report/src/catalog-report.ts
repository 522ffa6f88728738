import { ROLES, ROLE_PRESETS } from '@mcpfed/client-config';
import { SCOPES } from '@mcpfed/contract-common';
import { FULL_VIEW, TOOLSET_NAMES, parseViewWords } from '@mcpfed/mcp-runtime';
import type { ViewSelection } from '@mcpfed/mcp-runtime';
import { federationTools, toolsInView } from './federation-catalog.ts';
import { measureCatalog } from './measure-catalog.ts';
import type { CatalogFigures } from './measure-catalog.ts';

/** One line of the report: a router path, the scopes of the caller, what it is listed. */
export interface ReportRow {
  /** `view /mcp/x/finance` or `role finance`. */
  label: string;
  path: string;
  scopes: readonly string[];
  /** Names of the tools listed, in catalog order. */
  names: string[];
  figures: CatalogFigures;
}

/** Targets of a role preset's view (issue "A catalog a model can afford"). */
export const PRESET_MAX_TOOLS = 40;
export const PRESET_MAX_TOKENS = 12_000;
/** Target of the merged catalog for a caller with every scope (`/mcp`), in cl100k tokens, output schemas included. */
export const ALL_MAX_TOKENS = 38_000;
/** Target of every description, in characters (some model APIs cut them there). */
export const MAX_DESCRIPTION_CHARS = 1024;

/** The selection a router path asks for (`/mcp`, `/mcp/readonly`, `/mcp/x/<words>`), as the router parses it. */
export function selectionOfPath(path: string): ViewSelection {
  if (path === '/mcp') return FULL_VIEW;
  if (path === '/mcp/readonly') return { ...FULL_VIEW, readOnly: true };
  const parsed = parseViewWords(path.replace(/^\/mcp\/x\//, ''));
  if ('problem' in parsed) throw new Error(`${path}: ${parsed.problem}`);
  return parsed;
}

function row(label: string, path: string, scopes: readonly string[]): ReportRow {
  const tools = toolsInView(federationTools(), new Set(scopes), selectionOfPath(path));
  return { label, path, scopes, names: tools.map((tool) => String(tool['name'])), figures: measureCatalog(tools) };
}

/** Every view for a caller with every scope, then every role preset with its own scopes and view. */
export function catalogReport(): ReportRow[] {
  const all = [...SCOPES];
  return [
    row('all tools', '/mcp', all),
    row('read-only', '/mcp/readonly', all),
    ...TOOLSET_NAMES.map((name) => row(`toolset ${name}`, `/mcp/x/${name}`, all)),
    row('lazy', '/mcp/x/lazy', all),
    ...ROLES.map((role) => row(`role ${role}`, ROLE_PRESETS[role].view, ROLE_PRESETS[role].scopes)),
  ];
}

const thousands = (n: number) => n.toLocaleString('en-US');

/** The report as text: one line per view and preset, then the largest tools and the long descriptions. */
export function formatReport(rows: readonly ReportRow[], largest = 10): string {
  const header = ['view', 'path', 'tools', 'chars', 'cl100k', 'claude', 'descr', 'input', 'output'];
  const lines = rows.map((r) => [
    r.label,
    r.path,
    String(r.figures.tools),
    thousands(r.figures.chars),
    thousands(r.figures.tokens.cl100k),
    thousands(r.figures.tokens.claude),
    thousands(r.figures.descriptions),
    thousands(r.figures.inputSchemas),
    thousands(r.figures.outputSchemas),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const pad = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  const out = ['Catalog as the router lists it (tokens: cl100k_base and Claude; descr/input/output in cl100k)', pad(header), ...lines.map(pad)];
  const presets = rows.filter((r) => r.label.startsWith('role '));
  const over = presets.filter((r) => r.figures.tools > PRESET_MAX_TOOLS || r.figures.tokens.cl100k > PRESET_MAX_TOKENS);
  out.push(
    '',
    `Role presets over ${PRESET_MAX_TOOLS} tools or ${thousands(PRESET_MAX_TOKENS)} tokens: ${over.length === 0 ? 'none' : over.map((r) => r.label).join(', ')}`,
  );
  const full = rows[0] as ReportRow;
  out.push(
    `All tools over ${thousands(ALL_MAX_TOKENS)} tokens: ${full.figures.tokens.cl100k > ALL_MAX_TOKENS ? `yes (${thousands(full.figures.tokens.cl100k)})` : 'no'}`,
  );
  out.push('', `Largest tools (${full.label}):`);
  for (const tool of full.figures.perTool.slice(0, largest))
    out.push(`  ${tool.name.padEnd(28)} ${thousands(tool.tokens.cl100k).padStart(6)} tokens  ${thousands(tool.chars).padStart(7)} chars`);
  const long = full.figures.perTool.filter((tool) => tool.descriptionChars > MAX_DESCRIPTION_CHARS);
  out.push(
    '',
    `Descriptions over ${MAX_DESCRIPTION_CHARS} characters: ${long.length === 0 ? 'none' : long.map((t) => `${t.name} (${t.descriptionChars})`).join(', ')}`,
  );
  return out.join('\n');
}
