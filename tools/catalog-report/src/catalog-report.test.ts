import { describe, expect, it } from 'vitest';
import { ROLES, ROLE_PRESETS } from '@mcpfed/client-config';
import { PRESET_MAX_TOOLS, catalogReport, formatReport } from './catalog-report.ts';

describe('catalogReport', () => {
  const rows = catalogReport();
  const byLabel = new Map(rows.map((row) => [row.label, row]));

  it('measures every view and every role preset at its own path', () => {
    expect(byLabel.get('all tools')?.figures.tools).toBe(56);
    expect(byLabel.get('lazy')?.names).toEqual(['tools_search', 'tools_describe', 'tools_call']);
    for (const role of ROLES) expect(byLabel.get(`role ${role}`)?.path).toBe(ROLE_PRESETS[role].view);
  });

  it(`keeps every role preset within ${PRESET_MAX_TOOLS} tools and smaller than the whole catalog`, () => {
    const all = byLabel.get('all tools')?.figures.tokens.cl100k ?? 0;
    for (const role of ROLES) {
      const figures = byLabel.get(`role ${role}`)?.figures;
      expect(figures?.tools).toBeLessThanOrEqual(PRESET_MAX_TOOLS);
      expect(figures?.tokens.cl100k).toBeLessThan(all / 3);
    }
  });

  it('splits the tokens into descriptions, input and output schemas that add up to most of the whole', () => {
    const figures = byLabel.get('all tools')?.figures;
    const parts = (figures?.descriptions ?? 0) + (figures?.inputSchemas ?? 0) + (figures?.outputSchemas ?? 0);
    expect(parts).toBeGreaterThan((figures?.tokens.cl100k ?? 0) * 0.8);
    expect(parts).toBeLessThan(figures?.tokens.cl100k ?? 0);
    expect(formatReport(rows)).toContain('Largest tools (all tools):');
  });
});
