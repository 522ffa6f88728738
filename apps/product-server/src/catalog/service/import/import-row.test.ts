import { describe, expect, it } from 'vitest';
import { importRowSchema, validateImportRow } from './import-row.ts';

// Values each field takes in the generated rows: valid ones and every kind of near miss of the schema's rules.
const CHOICES: Record<string, unknown[]> = {
  sku: ['HP-0001234', 'A1', 'A', 'hp-1', ' HP-1', 'X'.repeat(64), 'X'.repeat(65), 'A.B_C-D', 12, null, undefined],
  name: ['Headphones', '  Padded  ', '', '   ', 'n'.repeat(200), ` ${'n'.repeat(200)} `, 'n'.repeat(201), 5, null, undefined],
  category: ['headphones', 'power-banks', 'Power', 'a--b', '-a', 'a'.repeat(64), 'a'.repeat(65), '', 7, undefined],
  price_amount: [0, 1999, -1, 1.5, 2_147_483_647, 2_147_483_648, Number.NaN, Number.POSITIVE_INFINITY, '1999', null, undefined],
  currency: ['EUR', 'eur', 'EURO', '', 1, undefined],
  brand: ['Nimbra', ' Nimbra ', '', '  ', 'b'.repeat(100), 'b'.repeat(101), 3, null, undefined],
  description: ['Fine.', ' Fine. ', '', 'd'.repeat(5000), 'd'.repeat(5001), false, null, undefined],
  status: ['active', 'draft', 'archived', 'Active', '', null, 1, undefined],
  attributes: [
    {},
    { color: 'Black', size: 42, wireless: true },
    { Color: 'x' },
    { _x: 1 },
    { a: 'v'.repeat(200) },
    { a: 'v'.repeat(201) },
    { a: null },
    { a: [1] },
    { a: { b: 1 } },
    Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i])),
    Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, i])),
    JSON.parse('{"__proto__": 1}'),
    Object.create(null),
    [],
    'x',
    null,
    undefined,
  ],
};

function randomRow(random: () => number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [field, values] of Object.entries(CHOICES)) {
    // Mostly the first (valid) value, so that rows with one or two faults are common.
    const value = random() < 0.6 ? values[0] : values[Math.floor(random() * values.length)];
    if (value !== undefined) row[field] = value;
  }
  return row;
}

describe('validateImportRow', () => {
  it('accepts exactly the rows the schema accepts, with the same product, and reports the schema’s messages', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let valid = 0;
    for (let i = 0; i < 10_000; i++) {
      const row = randomRow(random);
      const parsed = importRowSchema.safeParse(row);
      const verdict = validateImportRow(row, false);
      if (parsed.success) {
        valid++;
        const data = parsed.data;
        expect(verdict).toEqual({
          ok: true,
          row: { ...data, brand: data.brand ?? null, description: data.description ?? null },
        });
      } else {
        expect(verdict.ok).toBe(false);
        expect(verdict).toMatchObject({ field: String(parsed.error.issues[0]?.path[0] ?? 'row') });
      }
    }
    expect(valid).toBeGreaterThan(500);
  });
});
