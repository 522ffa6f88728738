import { describe, expect, it } from 'vitest';
import { ROLES, ROLE_PRESETS } from '@mcpfed/client-config';
import { ALL_MAX_TOKENS, PRESET_MAX_TOKENS, PRESET_MAX_TOOLS, catalogReport, formatReport } from './catalog-report.ts';

describe('catalogReport', () => {
  const rows = catalogReport();
  const byLabel = new Map(rows.map((row) => [row.label, row]));

  it('measures every view and every role preset at its own path', () => {
    expect(byLabel.get('all tools')?.figures.tools).toBe(56);
    expect(byLabel.get('lazy')?.names).toEqual(['tools_search', 'tools_describe', 'tools_call']);
    for (const role of ROLES) expect(byLabel.get(`role ${role}`)?.path).toBe(ROLE_PRESETS[role].view);
  });

  it(`keeps every role preset within ${PRESET_MAX_TOOLS} tools and ${PRESET_MAX_TOKENS} tokens, smaller than the whole catalog`, () => {
    const all = byLabel.get('all tools')?.figures.tokens.cl100k ?? 0;
    for (const role of ROLES) {
      const figures = byLabel.get(`role ${role}`)?.figures;
      expect(figures?.tools).toBeLessThanOrEqual(PRESET_MAX_TOOLS);
      expect(figures?.tokens.cl100k, role).toBeLessThanOrEqual(PRESET_MAX_TOKENS);
      expect(figures?.tokens.cl100k).toBeLessThan(all / 3);
    }
  });

  it(`keeps the merged catalog of every scope within ${ALL_MAX_TOKENS} tokens, output schemas included`, () => {
    const figures = byLabel.get('all tools')?.figures;
    expect(figures?.tokens.cl100k).toBeLessThanOrEqual(ALL_MAX_TOKENS);
    expect(figures?.outputSchemas).toBeGreaterThan(0);
    expect(formatReport(rows)).toContain(`All tools over ${ALL_MAX_TOKENS.toLocaleString('en-US')} tokens: no`);
  });

  it('splits the tokens into descriptions, input and output schemas that add up to most of the whole', () => {
    const figures = byLabel.get('all tools')?.figures;
    const parts = (figures?.descriptions ?? 0) + (figures?.inputSchemas ?? 0) + (figures?.outputSchemas ?? 0);
    expect(parts).toBeGreaterThan((figures?.tokens.cl100k ?? 0) * 0.8);
    expect(parts).toBeLessThan(figures?.tokens.cl100k ?? 0);
    expect(formatReport(rows)).toContain('Largest tools (all tools):');
  });
});
