import { CsvError, parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { parseCsvRecord, splitWellFormed } from './parse-csv-record.ts';
import { readRecords } from './record-reader.ts';
import type { ImportRecord } from './record-reader.ts';

async function records(text: string, format: 'jsonl' | 'csv', chunkSize = 3): Promise<ImportRecord[]> {
  const bytes = Buffer.from(text, 'utf8');
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  const out: ImportRecord[] = [];
  for await (const record of readRecords(chunks(), format)) out.push(record);
  return out;
}

describe('parseCsvRecord', () => {
  it('splits RFC 4180 fields', () => {
    expect(parseCsvRecord('a,"b, c","d ""e""",')).toEqual(['a', 'b, c', 'd "e"', '']);
    expect(parseCsvRecord('"open')).toBe('open');
    expect(parseCsvRecord('a"b,c')).toBe('invalid');
    expect(parseCsvRecord('"a"b,c')).toBe('invalid');
  });

  it('gives csv-parse’s verdict on every short record, whether split directly or by csv-parse', () => {
    const bySpec = (text: string): string[] | 'open' | 'invalid' => {
      try {
        return (parse(text, { record_delimiter: '\n', relax_column_count: true }) as string[][])[0] ?? [''];
      } catch (error) {
        if (!(error instanceof CsvError)) throw error;
        return error.code === 'CSV_QUOTE_NOT_CLOSED' ? 'open' : 'invalid';
      }
    };
    const letters = ['a', ',', '"', '\n', ' ', '\r'];
    let direct = 0;
    const mismatches: unknown[] = [];
    const visit = (text: string, depth: number): void => {
      const [got, want] = [parseCsvRecord(text), bySpec(text)];
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push({ text, got, want });
      if (splitWellFormed(text) !== undefined) direct++;
      if (depth > 0) for (const letter of letters) visit(text + letter, depth - 1);
    };
    visit('', 5);
    expect(mismatches).toEqual([]);
    expect(direct).toBeGreaterThan(1000);
  });
});

describe('readRecords', () => {
  it('numbers JSON lines, skips blank ones, tracks byte offsets across chunks and CRLF', async () => {
    const out = await records('{"a":1}\r\n\n  \n{"a":"é"}\nnope\n', 'jsonl');
    expect(out.map((record) => [record.kind, record.line, record.endLine, record.endByte])).toEqual([
      ['fields', 1, 1, 9],
      ['fields', 4, 4, 24],
      ['unreadable', 5, 5, 29],
    ]);
    expect(out[1]).toMatchObject({ fields: { a: 'é' } });
  });

  it('reads a CSV header, multi-line quoted fields and a BOM; reports wrong field counts', async () => {
    const out = await records('\uFEFFsku,Name\nA,"x\ny"\nB\nC,z', 'csv');
    expect(out).toEqual([
      { kind: 'fields', line: 2, fields: { sku: 'A', name: 'x\ny' }, raw: 'A,"x\ny"', endLine: 3, endByte: 20 },
      { kind: 'unreadable', line: 4, message: 'expected 2 fields as in the header, found 1', raw: 'B', endLine: 4, endByte: 22 },
      { kind: 'fields', line: 5, fields: { sku: 'C', name: 'z' }, raw: 'C,z', endLine: 5, endByte: 25 },
    ]);
  });

  it('reports an unterminated quote and invalid UTF-8 as unreadable rows', async () => {
    expect((await records('sku\n"open\n', 'csv')).map((record) => [record.kind, record.line])).toEqual([['unreadable', 2]]);
    const bad = Buffer.concat([Buffer.from('{"a":1}\n'), Buffer.from([0xff, 0xfe, 0x0a])]);
    async function* body() {
      yield bad;
    }
    const out: ImportRecord[] = [];
    for await (const record of readRecords(body(), 'jsonl')) out.push(record);
    expect(out.map((record) => (record.kind === 'unreadable' ? record.message : 'ok'))).toEqual(['ok', 'not valid UTF-8']);
  });
});
