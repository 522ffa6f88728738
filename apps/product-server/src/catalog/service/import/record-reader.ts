import type { ImportFormat } from '@mcpfed/contract-product';
import { parseCsvRecord } from './parse-csv-record.ts';
import { MAX_RECORD_BYTES } from './max-record-bytes.ts';
import { readLines } from './read-lines.ts';

/** One data record of an import file, or why it could not be read. */
export type ImportRecord =
  | { kind: 'fields'; line: number; fields: Record<string, unknown>; raw: string; endLine: number; endByte: number }
  | { kind: 'unreadable'; line: number; message: string; raw: string; endLine: number; endByte: number };

/**
 * Reads the data records of a JSON Lines or CSV source, in order. Blank lines and the CSV header are not
 * records. A record that cannot be read (bad JSON, unbalanced quotes, wrong field count, invalid UTF-8, too long)
 * comes out as `unreadable` with its line, and reading goes on: one bad row never stops an import. The same
 * bytes always give the same records, which makes "skip the first N records" an exact resume point.
 */
export async function* readRecords(body: AsyncIterable<Uint8Array>, format: ImportFormat): AsyncGenerator<ImportRecord> {
  if (format === 'jsonl') {
    for await (const line of readLines(body)) {
      if (line.problem !== undefined) {
        yield { kind: 'unreadable', line: line.number, message: line.problem, raw: line.text ?? '', endLine: line.number, endByte: line.endByte };
        continue;
      }
      const text = line.text ?? '';
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        yield { kind: 'unreadable', line: line.number, message: 'not valid JSON', raw: text, endLine: line.number, endByte: line.endByte };
        continue;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        yield { kind: 'unreadable', line: line.number, message: 'each line must be one JSON object', raw: text, endLine: line.number, endByte: line.endByte };
        continue;
      }
      yield { kind: 'fields', line: line.number, fields: value as Record<string, unknown>, raw: text, endLine: line.number, endByte: line.endByte };
    }
    return;
  }
  yield* readCsv(body);
}

async function* readCsv(body: AsyncIterable<Uint8Array>): AsyncGenerator<ImportRecord> {
  let header: string[] | undefined;
  let pending: { start: number; text: string; endLine: number; endByte: number } | undefined;
  for await (const line of readLines(body)) {
    if (line.problem !== undefined) {
      if (pending !== undefined) yield unterminated(pending);
      pending = undefined;
      yield { kind: 'unreadable', line: line.number, message: line.problem, raw: line.text ?? '', endLine: line.number, endByte: line.endByte };
      continue;
    }
    const text = line.text ?? '';
    if (pending === undefined && text.trim() === '') continue;
    const record = {
      start: pending?.start ?? line.number,
      text: pending === undefined ? text : `${pending.text}\n${text}`,
      endLine: line.number,
      endByte: line.endByte,
    };
    const parsed = parseCsvRecord(record.text);
    if (parsed === 'open') {
      // A quoted field goes on over the line break.
      if (record.text.length > MAX_RECORD_BYTES) {
        pending = undefined;
        yield {
          kind: 'unreadable',
          line: record.start,
          message: `record longer than ${MAX_RECORD_BYTES} bytes (unbalanced quotes?)`,
          raw: record.text,
          endLine: line.number,
          endByte: line.endByte,
        };
      } else {
        pending = record;
      }
      continue;
    }
    pending = undefined;
    const done = { endLine: line.number, endByte: line.endByte };
    if (parsed === 'invalid') {
      yield {
        kind: 'unreadable',
        line: record.start,
        message: 'malformed CSV: a quote inside an unquoted field or text after a closing quote',
        raw: record.text,
        ...done,
      };
      continue;
    }
    if (header === undefined) {
      header = parsed.map((name) => name.trim().toLowerCase());
      continue;
    }
    if (parsed.length !== header.length) {
      yield {
        kind: 'unreadable',
        line: record.start,
        message: `expected ${header.length} fields as in the header, found ${parsed.length}`,
        raw: record.text,
        ...done,
      };
      continue;
    }
    const fields: Record<string, unknown> = {};
    header.forEach((name, index) => {
      const value = parsed[index] ?? '';
      if (value !== '') fields[name] = value;
    });
    yield { kind: 'fields', line: record.start, fields, raw: record.text, ...done };
  }
  if (pending !== undefined) yield unterminated(pending);
}

function unterminated(pending: { start: number; text: string; endLine: number; endByte: number }): ImportRecord {
  return {
    kind: 'unreadable',
    line: pending.start,
    message: 'unterminated quoted field',
    raw: pending.text,
    endLine: pending.endLine,
    endByte: pending.endByte,
  };
}
