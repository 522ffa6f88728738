import { describe, expect, it } from 'vitest';
import { runtimeMigrations } from '@mcpfed/mcp-runtime';
import { productMigrations } from '../migrations/index.ts';

describe('productMigrations', () => {
  it('keeps the names deployed databases recorded, applied in this order after the runtime’s', () => {
    // A renamed migration reads as pending (and its old name as unknown) on every database migrated before.
    const names = Object.keys(productMigrations).sort();
    const runtime = Object.keys(runtimeMigrations).sort();
    expect(names.slice(0, runtime.length)).toEqual(runtime);
    expect(names.slice(runtime.length)).toEqual([
      '0001_products',
      '0002_product_imports',
      '0003_analytics_views',
      '0004_lexicon_words_function',
      '0005_product_sku_prefix',
      '0006_product_search_shuffle',
      '0100_inventory',
    ]);
  });
});
