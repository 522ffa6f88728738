import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { resultFields } from './result-fields.ts';

describe('resultFields', () => {
  it('lists every described field of a result by its path, through nullable objects and arrays', () => {
    const money = z.object({ amount: z.number().int().describe('Integer minor units.'), currency: z.string() });
    const output = z.object({
      order: z.object({
        version: z.number().int().describe('Pass it as expected_version.'),
        lines: z.array(z.object({ sku: z.string().describe('SKU.'), price: money })).describe('One per SKU.'),
        tracking: z
          .object({ carrier: z.string().describe('Who ships it.') })
          .nullable()
          .describe('Set when shipped.'),
      }),
      replayed: z.boolean(),
    });
    expect(resultFields(output)).toEqual([
      '- order.version: Pass it as expected_version.',
      '- order.lines: One per SKU.',
      '- order.lines[].sku: SKU.',
      '- order.lines[].price.amount: Integer minor units.',
      '- order.tracking: Set when shipped.',
      '- order.tracking.carrier: Who ships it.',
    ]);
  });
});
