import type { ImportFormat } from '@mcpfed/contract-product';

/** Longest line (or CSV record) an import reads, in bytes; a longer one is rejected as a row. */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** One data record of an import file, or why it could not be read. */
export type ImportRecord =
  | { kind: 'fields'; line: number; fields: Record<string, unknown>; raw: string; endLine: number; endByte: number }
  | { kind: 'unreadable'; line: number; message: string; raw: string; endLine: number; endByte: number };

interface Line {
  /** 1-based physical line number. */
  number: number;
  text: string | undefined;
  /** Byte offset just after the line (its newline included). */
  endByte: number;
  /** Why the line could not be decoded, when it could not. */
  problem?: string;
}

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
        yield { kind: 'unreadable', line: record.start, message: `record longer than ${MAX_RECORD_BYTES} bytes (unbalanced quotes?)`, raw: record.text, endLine: line.number, endByte: line.endByte };
      } else {
        pending = record;
      }
      continue;
    }
    pending = undefined;
    const done = { endLine: line.number, endByte: line.endByte };
    if (parsed === 'invalid') {
      yield { kind: 'unreadable', line: record.start, message: 'malformed CSV: a quote inside an unquoted field or text after a closing quote', raw: record.text, ...done };
      continue;
    }
    if (header === undefined) {
      header = parsed.map((name) => name.trim().toLowerCase());
      continue;
    }
    if (parsed.length !== header.length) {
      yield { kind: 'unreadable', line: record.start, message: `expected ${header.length} fields as in the header, found ${parsed.length}`, raw: record.text, ...done };
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
  return { kind: 'unreadable', line: pending.start, message: 'unterminated quoted field', raw: pending.text, endLine: pending.endLine, endByte: pending.endByte };
}

/**
 * One CSV record (RFC 4180: comma-separated, fields optionally in double quotes, `""` is a quote inside quotes).
 * Returns the fields, `open` when a quoted field is still open at the end of the text, or `invalid`.
 */
export function parseCsvRecord(text: string): string[] | 'open' | 'invalid' {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  let afterQuote = false;
  let fieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else {
        quoted = false;
        afterQuote = true;
      }
      continue;
    }
    if (ch === ',') {
      fields.push(field);
      field = '';
      afterQuote = false;
      fieldStart = true;
      continue;
    }
    if (afterQuote) return 'invalid';
    if (ch === '"') {
      if (!fieldStart) return 'invalid';
      quoted = true;
      fieldStart = false;
      continue;
    }
    field += ch;
    fieldStart = false;
  }
  if (quoted) return 'open';
  fields.push(field);
  return fields;
}

/** Splits bytes into UTF-8 lines (LF or CRLF), numbering them and tracking byte offsets; strips a leading BOM. */
async function* readLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<Line> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let parts: Buffer[] = [];
  let partBytes = 0;
  let overflow = false;
  let offset = 0;
  let number = 0;
  const finish = (endByte: number): Line => {
    number++;
    if (overflow) {
      overflow = false;
      parts = [];
      partBytes = 0;
      return { number, text: undefined, endByte, problem: `line longer than ${MAX_RECORD_BYTES} bytes` };
    }
    let bytes = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, partBytes);
    parts = [];
    partBytes = 0;
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    if (number === 1 && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    try {
      return { number, text: decoder.decode(bytes), endByte };
    } catch {
      return { number, text: undefined, endByte, problem: 'not valid UTF-8' };
    }
  };
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (;;) {
      const newline = buffer.indexOf(0x0a, start);
      const end = newline === -1 ? buffer.length : newline;
      if (!overflow) {
        if (partBytes + (end - start) > MAX_RECORD_BYTES) {
          overflow = true;
          parts = [];
          partBytes = 0;
        } else if (end > start) {
          parts.push(buffer.subarray(start, end));
          partBytes += end - start;
        }
      }
      if (newline === -1) break;
      yield finish(offset + newline + 1);
      start = newline + 1;
    }
    offset += buffer.length;
  }
  if (partBytes > 0 || overflow) yield finish(offset);
}
