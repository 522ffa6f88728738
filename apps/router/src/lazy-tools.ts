import type { z } from 'zod';
import type { Principal } from '@mcpfed/auth';
import { AppError, toToolErrorResult } from '@mcpfed/errors';
import { CALL_TOOL, DESCRIBE_TOOL, SEARCH_TOOL, lazyCallInput, lazyDescribeInput, lazySearchInput } from '@mcpfed/mcp-runtime';
import type { ViewSelection } from '@mcpfed/mcp-runtime';
import type { Catalog } from './catalog/catalog.ts';
import { viewTools } from './catalog/catalog-view.ts';
import type { RouteDecision } from './route-decision.ts';

/** The first sentence of a description, at most 200 characters: the one-line summary a search returns. */
export function summaryOf(description: string): string {
  const first = /^(.+?[.!?])(\s|$)/s.exec(description)?.[1] ?? description;
  return first.length <= 200 ? first : `${first.slice(0, 199)}…`;
}

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

function toolResult(id: unknown, structured: Record<string, unknown>): RouteDecision {
  return {
    kind: 'answer',
    response: { jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured } },
  };
}

function toolError(id: unknown, error: AppError): RouteDecision {
  return { kind: 'answer', response: { jsonrpc: '2.0', id, result: toToolErrorResult(error) } };
}

function invalid(id: unknown, tool: string, error: z.ZodError): RouteDecision {
  const problems = error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
  return toolError(id, new AppError('VALIDATION_FAILED', `Invalid arguments for ${tool}: ${problems}`));
}

/**
 * A tools/call in the lazy view. Search and describe are answered here from the catalog the caller may use (its
 * scopes and the view). A call is rewritten as the plain tools/call of the tool it names and decided by `direct`
 * (the direct path's own decision): the same scope and view checks, the same refusals, and when forwarded the
 * same upstream request, so the upstream validates, rate-limits and audits it exactly as a direct call.
 */
export function decideLazyCall(
  catalog: Catalog,
  message: Record<string, unknown>,
  principal: Principal,
  selection: ViewSelection,
  direct: (message: Record<string, unknown>) => RouteDecision,
): RouteDecision {
  const id = message['id'];
  const params = (message['params'] ?? {}) as Record<string, unknown>;
  const name = params['name'] as string;
  const args = params['arguments'] ?? {};
  const plain = { ...selection, lazy: false };
  if (name === SEARCH_TOOL) {
    const parsed = lazySearchInput.safeParse(args);
    if (!parsed.success) return invalid(id, name, parsed.error);
    const wanted = [...new Set(words(parsed.data.query))];
    const scored = viewTools(catalog, principal.scopes, plain)
      .map((tool) => {
        const haystack = new Set(words(`${String(tool['name'])} ${String(tool['title'] ?? '')} ${String(tool['description'] ?? '')}`));
        return { tool, score: wanted.filter((word) => haystack.has(word)).length };
      })
      .filter(({ score }) => score > 0)
      .sort((a, b) => b.score - a.score);
    const items = scored.slice(0, parsed.data.limit).map(({ tool }) => ({
      name: String(tool['name']),
      title: String(tool['title'] ?? tool['name']),
      summary: summaryOf(String(tool['description'] ?? '')),
      read_only: (tool['annotations'] as { readOnlyHint?: unknown } | undefined)?.readOnlyHint === true,
    }));
    return toolResult(id, { items });
  }
  if (name === DESCRIBE_TOOL) {
    const parsed = lazyDescribeInput.safeParse(args);
    if (!parsed.success) return invalid(id, name, parsed.error);
    // Described only when calling it would be allowed: the same decision as the direct call, without sending it.
    const decision = direct({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: parsed.data.name, arguments: {} } });
    if (decision.kind !== 'forward') return decision;
    return toolResult(id, { tool: catalog.toolDefinition(parsed.data.name) as Record<string, unknown> });
  }
  if (name === CALL_TOOL) {
    const parsed = lazyCallInput.safeParse(args);
    if (!parsed.success) return invalid(id, name, parsed.error);
    const rewritten = {
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: parsed.data.name, arguments: parsed.data.arguments, ...(params['_meta'] === undefined ? {} : { _meta: params['_meta'] }) },
    };
    const decision = direct(rewritten);
    return decision.kind === 'forward' ? { ...decision, message: rewritten } : decision;
  }
  return toolError(
    id,
    new AppError(
      'FORBIDDEN',
      `${name} is not in this view: the lazy view offers ${SEARCH_TOOL}, ${DESCRIBE_TOOL} and ${CALL_TOOL}; call ${name} through ${CALL_TOOL}.`,
    ),
  );
}
