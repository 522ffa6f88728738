import { describe, expect, it } from 'vitest';
import { allocateLines, mergeDemands } from './allocate-lines.ts';

const stock = [
  { sku: 'A-1', location: 'BER-1', available: 4 },
  { sku: 'A-1', location: 'HAM-1', available: 6 },
  { sku: 'A-1', location: 'MUC-1', available: 6 },
  { sku: 'B-1', location: 'BER-1', available: 1 },
];

describe('mergeDemands', () => {
  it('adds up lines of the same sku and location and sorts located lines before "anywhere" lines', () => {
    expect(
      mergeDemands([
        { sku: 'B-1', quantity: 1 },
        { sku: 'A-1', quantity: 2 },
        { sku: 'A-1', quantity: 1, location: 'HAM-1' },
        { sku: 'A-1', quantity: 3 },
        { sku: 'A-1', quantity: 1, location: 'BER-1' },
      ]),
    ).toEqual([
      { sku: 'A-1', location: 'BER-1', quantity: 1 },
      { sku: 'A-1', location: 'HAM-1', quantity: 1 },
      { sku: 'A-1', location: null, quantity: 5 },
      { sku: 'B-1', location: null, quantity: 1 },
    ]);
  });
});

describe('allocateLines', () => {
  it('takes from the fullest locations first, ties by location code, splitting when needed', () => {
    expect(allocateLines(mergeDemands([{ sku: 'A-1', quantity: 14 }]), stock)).toEqual({
      ok: true,
      allocations: [
        { sku: 'A-1', location: 'BER-1', quantity: 2 },
        { sku: 'A-1', location: 'HAM-1', quantity: 6 },
        { sku: 'A-1', location: 'MUC-1', quantity: 6 },
      ],
      lines: [{ sku: 'A-1', location: null, requested: 14, available: 16 }],
    });
  });

  it('serves located lines first, then the rest from what they left', () => {
    const result = allocateLines(
      mergeDemands([
        { sku: 'A-1', quantity: 6 },
        { sku: 'A-1', quantity: 5, location: 'HAM-1' },
      ]),
      stock,
    );
    expect(result).toEqual({
      ok: true,
      allocations: [
        { sku: 'A-1', location: 'HAM-1', quantity: 5 },
        { sku: 'A-1', location: 'MUC-1', quantity: 6 },
      ],
      lines: [
        { sku: 'A-1', location: 'HAM-1', requested: 5, available: 6 },
        { sku: 'A-1', location: null, requested: 6, available: 11 },
      ],
    });
  });

  it('is all or nothing and reports what each line could have had', () => {
    expect(
      allocateLines(
        mergeDemands([
          { sku: 'A-1', quantity: 3 },
          { sku: 'B-1', quantity: 2 },
          { sku: 'C-1', quantity: 1, location: 'BER-1' },
        ]),
        stock,
      ),
    ).toEqual({
      ok: false,
      lines: [
        { sku: 'A-1', location: null, requested: 3, available: 16 },
        { sku: 'B-1', location: null, requested: 2, available: 1 },
        { sku: 'C-1', location: 'BER-1', requested: 1, available: 0 },
      ],
    });
  });

  it('merges a located and an "anywhere" allocation of the same level', () => {
    const result = allocateLines(mergeDemands([{ sku: 'B-1', quantity: 1 }]), [{ sku: 'B-1', location: 'BER-1', available: 3 }]);
    expect(result.ok && result.allocations).toEqual([{ sku: 'B-1', location: 'BER-1', quantity: 1 }]);
    const both = allocateLines(
      mergeDemands([
        { sku: 'B-1', quantity: 1 },
        { sku: 'B-1', quantity: 2, location: 'BER-1' },
      ]),
      [{ sku: 'B-1', location: 'BER-1', available: 3 }],
    );
    expect(both.ok && both.allocations).toEqual([{ sku: 'B-1', location: 'BER-1', quantity: 3 }]);
  });

  it('treats negative availability as none', () => {
    expect(allocateLines([{ sku: 'A-1', location: null, quantity: 1 }], [{ sku: 'A-1', location: 'BER-1', available: -2 }])).toEqual({
      ok: false,
      lines: [{ sku: 'A-1', location: null, requested: 1, available: 0 }],
    });
  });
});
