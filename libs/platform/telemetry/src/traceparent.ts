import { TraceFlags } from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';

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

/**
 * Parses a `traceparent` header strictly: lowercase hex only, version `ff` and all-zero ids rejected,
 * version `00` exactly 55 characters. Higher versions are parsed by the version-00 layout as the spec
 * requires, accepting extra fields only after a dash at position 55. Returns undefined for a missing
 * or invalid header, in which case the receiver starts a new trace.
 *
 * The fields are checked by OpenTelemetry's `parseTraceParent`; the framing around them is checked here, because
 * OTel's pattern differs at the edges: it allows one character of any whitespace (`\s`, also a line break) at each
 * end where the spec's optional whitespace is any number of spaces and tabs, and it refuses a later version whose
 * extra fields hold a line break. So spaces and tabs are trimmed first, the first character must be hex, and OTel
 * sees exactly the 55 characters of the version-00 layout.
 */
export function parseTraceparent(header: string | undefined): TraceParent | undefined {
  if (header === undefined) return undefined;
  const value = hasOuterWhitespace(header) ? header.replace(/^[ \t]+|[ \t]+$/g, '') : header;
  if (value.length < VERSION_00_LENGTH || !isLowerHexDigit(value.charCodeAt(0))) return undefined;
  let fields = value;
  if (value.length > VERSION_00_LENGTH) {
    const isVersion00 = value.charCodeAt(0) === 0x30 && value.charCodeAt(1) === 0x30;
    if (isVersion00 || value.charCodeAt(VERSION_00_LENGTH) !== DASH) return undefined;
    fields = value.slice(0, VERSION_00_LENGTH);
  }
  const parsed = parseTraceParent(fields);
  if (parsed === null) return undefined;
  // Only bit 0 (sampled) is defined; other flag bits are ignored, not rejected.
  return { traceId: parsed.traceId, parentSpanId: parsed.spanId, sampled: (parsed.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED };
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

function isLowerHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);
}
