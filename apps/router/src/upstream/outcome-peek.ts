import { isErrorCode } from '@mcpfed/errors';
import type { ErrorCode } from '@mcpfed/errors';

/**
 * Byte patterns that only a failed call's answer holds outside a string: a tool error result
 * (`"isError":true`, the compact JSON every mcpfed server and the SDK write) and a JSON-RPC error response
 * (`"error":{"code":-…`, JSON-RPC codes are negative; a tool error's `structuredContent.error.code` is a string).
 * Inside a JSON string each quote is escaped (`\"`), so text that merely mentions them does not match.
 */
const PATTERNS = [Buffer.from('"isError":true'), Buffer.from('"error":{"code":-')];
const OVERLAP = Math.max(...PATTERNS.map((p) => p.length)) - 1;
/** Bytes of an answer kept to read a failure's code from; error answers are a few hundred bytes. */
const RETAINED_BYTES = 64 * 1024;

const CODE_OF_RPC: Readonly<Record<number, ErrorCode>> = { [-32602]: 'VALIDATION_FAILED', [-32002]: 'NOT_FOUND', [-32001]: 'TIMEOUT' };

/**
 * Tells, for the per-tool metrics, whether a forwarded call failed and with which mcpfed code, without parsing a
 * successful answer: the streamed bytes are only searched (natively, across chunk borders) for the patterns a
 * failure has; only an answer that has one is parsed, and failures are small.
 */
export class OutcomePeek {
  readonly #sse: boolean;
  readonly #retained: Buffer[] = [];
  #retainedBytes = 0;
  #tail: Buffer = Buffer.alloc(0);
  #failed = false;

  /** @param contentType Content-Type of the answer: JSON, or an SSE stream whose last message is the response. */
  constructor(contentType: string) {
    this.#sse = contentType.startsWith('text/event-stream');
  }

  /** Looks at the next chunk of the answer as it goes by. */
  push(chunk: Buffer): void {
    if (this.#retainedBytes <= RETAINED_BYTES) {
      this.#retained.push(chunk);
      this.#retainedBytes += chunk.length;
    }
    if (this.#failed) return;
    const border = this.#tail.length > 0 ? Buffer.concat([this.#tail, chunk.subarray(0, OVERLAP)]) : undefined;
    this.#failed = PATTERNS.some((p) => chunk.includes(p) || (border !== undefined && border.includes(p)));
    this.#tail = chunk.length >= OVERLAP ? chunk.subarray(chunk.length - OVERLAP) : Buffer.concat([this.#tail, chunk]).subarray(-OVERLAP);
  }

  /** `ok`, or the failure's mcpfed code once the whole answer went by (`INTERNAL` when a failure's code cannot be read). */
  get outcome(): string {
    if (!this.#failed) return 'ok';
    if (this.#retainedBytes > RETAINED_BYTES) return 'INTERNAL';
    const text = Buffer.concat(this.#retained).toString('utf8');
    const json = this.#sse
      ? text
          .split(/\r?\n/)
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .at(-1)
      : text;
    try {
      return OutcomePeek.of(JSON.parse(json ?? '') as Record<string, unknown>);
    } catch {
      return 'INTERNAL';
    }
  }

  /** `ok`, or the mcpfed code of a JSON-RPC response that carries a tool error result or a JSON-RPC error. */
  static of(response: Record<string, unknown>): string {
    const result = response['result'] as { isError?: unknown; structuredContent?: { error?: { code?: unknown } } } | undefined;
    if (result?.isError === true) {
      const code = result.structuredContent?.error?.code;
      return isErrorCode(code) ? code : 'INTERNAL';
    }
    const error = response['error'] as { code?: unknown; data?: { code?: unknown } } | undefined;
    if (error === undefined || error === null) return 'ok';
    if (isErrorCode(error.data?.code)) return error.data.code;
    return (typeof error.code === 'number' ? CODE_OF_RPC[error.code] : undefined) ?? 'INTERNAL';
  }
}
