import { MAX_RECORD_BYTES } from './max-record-bytes.ts';

/** One physical line of an import source. */
export interface Line {
  /** 1-based physical line number. */
  number: number;
  text: string | undefined;
  /** Byte offset just after the line (its newline included). */
  endByte: number;
  /** Why the line could not be decoded, when it could not. */
  problem?: string;
}

/** Splits bytes into UTF-8 lines (LF or CRLF), numbering them and tracking byte offsets; strips a leading BOM. */
export async function* readLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<Line> {
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
