import { describe, expect, it } from 'vitest';
import { childTraceContext } from './child-trace-context.ts';
import { formatTraceparent, parseTraceparent } from './traceparent.ts';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

describe('parseTraceparent', () => {
  it('parses the example of the W3C specification and formats it back unchanged', () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: TRACE_ID, parentSpanId: SPAN_ID, sampled: true });
    const parsed = parseTraceparent(VALID)!;
    expect(formatTraceparent(parsed.traceId, parsed.parentSpanId, parsed.sampled)).toBe(VALID);
    const unsampled = `00-${TRACE_ID}-${SPAN_ID}-00`;
    expect(parseTraceparent(unsampled)?.sampled).toBe(false);
    expect(formatTraceparent(TRACE_ID, SPAN_ID, false)).toBe(unsampled);
  });

  it('reads only the sampled bit of the flags', () => {
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-03`)?.sampled).toBe(true);
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-02`)?.sampled).toBe(false);
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-ff`)?.sampled).toBe(true);
  });

  it('tolerates optional whitespace around the value', () => {
    expect(parseTraceparent(` \t${VALID} `)?.traceId).toBe(TRACE_ID);
  });

  it.each([
    ['missing header', undefined],
    ['empty', ''],
    ['version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['uppercase version', `0A-${TRACE_ID}-${SPAN_ID}-01`],
    ['non-hex version', `0g-${TRACE_ID}-${SPAN_ID}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['all-zero parent id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['uppercase trace id', `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`],
    ['uppercase parent id', `00-${TRACE_ID}-00F067AA0BA902B7-01`],
    ['uppercase flags', `00-${TRACE_ID}-${SPAN_ID}-0A`],
    ['trace id of 31 characters', `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
    ['trace id of 33 characters', `00-${TRACE_ID}a-${SPAN_ID}-01`],
    ['parent id of 15 characters', `00-${TRACE_ID}-${SPAN_ID.slice(1)}-01`],
    ['parent id of 17 characters', `00-${TRACE_ID}-${SPAN_ID}a-01`],
    ['one flag character', `00-${TRACE_ID}-${SPAN_ID}-1`],
    ['version 00 with trailing data', `${VALID}-extra`],
    ['version 00 with a trailing character', `${VALID}0`],
    ['wrong separator', `00_${TRACE_ID}-${SPAN_ID}-01`],
    ['non-hex character in trace id', `00-${TRACE_ID.slice(0, 31)}z-${SPAN_ID}-01`],
    ['future version shorter than 55', `cc-${TRACE_ID}-${SPAN_ID}-0`],
    ['future version without a dash after the flags', `cc-${TRACE_ID}-${SPAN_ID}-01x`],
    ['two headers joined by node:http', `${VALID}, ${VALID}`],
    ['a line break before the value', `\n${VALID}`],
    ['a line break after a version-00 value', `${VALID}\n`],
    ['future version with a line break after the flags', `cc-${TRACE_ID}-${SPAN_ID}-01\n`],
  ])('rejects %s', (_case, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it('parses a future version by the version-00 layout and ignores its extra fields', () => {
    expect(parseTraceparent(`cc-${TRACE_ID}-${SPAN_ID}-01-what-the-future-will-be-like`)).toEqual({
      traceId: TRACE_ID,
      parentSpanId: SPAN_ID,
      sampled: true,
    });
    expect(parseTraceparent(`01-${TRACE_ID}-${SPAN_ID}-00`)?.sampled).toBe(false);
    expect(parseTraceparent(`cc-${TRACE_ID}-${SPAN_ID}-01-line\nbreak`)?.traceId).toBe(TRACE_ID);
  });
});

describe('childTraceContext', () => {
  it('starts a new sampled trace without a parent', () => {
    const context = childTraceContext(undefined);
    expect(context.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(context.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(context.sampled).toBe(true);
    expect(context.traceparent).toBe(`00-${context.traceId}-${context.spanId}-01`);
    expect(parseTraceparent(context.traceparent)).toEqual({
      traceId: context.traceId,
      parentSpanId: context.spanId,
      sampled: true,
    });
    expect(childTraceContext(undefined).traceId).not.toBe(context.traceId);
  });

  it('continues the trace of a parsed traceparent with a new span id and its sampled flag', () => {
    const parent = parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-00`)!;
    const child = childTraceContext(parent);
    expect(child.traceId).toBe(TRACE_ID);
    expect(child.spanId).not.toBe(SPAN_ID);
    expect(child.sampled).toBe(false);
    expect(child.traceparent).toBe(`00-${TRACE_ID}-${child.spanId}-00`);
  });

  it('continues the trace of a parent span context', () => {
    const root = childTraceContext(undefined);
    const child = childTraceContext(root);
    expect(child.traceId).toBe(root.traceId);
    expect(child.spanId).not.toBe(root.spanId);
    expect(child.sampled).toBe(true);
  });

  it('draws distinct span ids across pool refills', () => {
    const ids = new Set<string>();
    // 1000 span ids use 8000 bytes: the 4096-byte pool refills at least once.
    for (let i = 0; i < 1000; i++) ids.add(childTraceContext(undefined).spanId);
    expect(ids.size).toBe(1000);
  });
});
