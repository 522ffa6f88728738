/** The fields of a valid incoming W3C `traceparent` header (https://www.w3.org/TR/trace-context/#traceparent-header). */
export interface TraceParent {
  /** 32 lowercase hex characters, not all zero. */
  readonly traceId: string;
  /** 16 lowercase hex characters, not all zero: the caller's span. */
  readonly parentSpanId: string;
  /** The sampled flag (bit 0 of trace-flags). */
  readonly sampled: boolean;
}

const VERSION_00_LENGTH = 55;
const DASH = 0x2d;
const SPACE = 0x20;
const TAB = 0x09;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

/**
 * Parses a `traceparent` header strictly: lowercase hex only, version `ff` and all-zero ids rejected,
 * version `00` exactly 55 characters. Higher versions are parsed by the version-00 layout as the spec
 * requires, accepting extra fields only after a dash at position 55. Returns undefined for a missing
 * or invalid header, in which case the receiver starts a new trace.
 */
export function parseTraceparent(header: string | undefined): TraceParent | undefined {
  if (header === undefined) return undefined;
  const value = hasOuterWhitespace(header) ? header.replace(/^[ \t]+|[ \t]+$/g, '') : header;
  if (value.length < VERSION_00_LENGTH) return undefined;
  if (!isLowerHex(value, 0, 2)) return undefined;
  if (value.charCodeAt(0) === 0x66 && value.charCodeAt(1) === 0x66) return undefined; // "ff" is forbidden
  const isVersion00 = value.charCodeAt(0) === 0x30 && value.charCodeAt(1) === 0x30;
  if (isVersion00 ? value.length !== VERSION_00_LENGTH : value.length > VERSION_00_LENGTH && value.charCodeAt(VERSION_00_LENGTH) !== DASH) {
    return undefined;
  }
  if (value.charCodeAt(2) !== DASH || value.charCodeAt(35) !== DASH || value.charCodeAt(52) !== DASH) return undefined;
  if (!isLowerHex(value, 3, 35) || !isLowerHex(value, 36, 52) || !isLowerHex(value, 53, 55)) return undefined;
  const traceId = value.slice(3, 35);
  const parentSpanId = value.slice(36, 52);
  if (traceId === ZERO_TRACE_ID || parentSpanId === ZERO_SPAN_ID) return undefined;
  // Only bit 0 (sampled) is defined; other flag bits are ignored, not rejected.
  const sampled = (hexValue(value.charCodeAt(54)) & 1) === 1;
  return { traceId, parentSpanId, sampled };
}

/**
 * Formats a version-00 `traceparent` header value. The ids must already be valid lowercase hex
 * (32 and 16 characters, as produced by this library or by {@link parseTraceparent}).
 */
export function formatTraceparent(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;
}

function hasOuterWhitespace(s: string): boolean {
  if (s.length === 0) return false;
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  return first === SPACE || first === TAB || last === SPACE || last === TAB;
}

function isLowerHex(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

function hexValue(c: number): number {
  return c <= 0x39 ? c - 0x30 : c - 0x61 + 10;
}
