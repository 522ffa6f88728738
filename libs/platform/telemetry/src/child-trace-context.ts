import { randomPool } from './random-pool.ts';
import type { TraceContext } from './trace-context.ts';
import { formatTraceparent } from './traceparent.ts';
import type { TraceParent } from './traceparent.ts';

/**
 * A new span's trace context: a fresh span id in the parent's trace, or a fresh trace when there is
 * no parent. The sampled flag is inherited from the parent and defaults to true (sample everything
 * that starts here; the collector decides what to keep).
 *
 * @param parent the context of the current span, or a parsed incoming `traceparent`.
 */
export function childTraceContext(parent: TraceContext | TraceParent | undefined): TraceContext {
  const traceId = parent === undefined ? randomPool.nonZeroHex(16) : parent.traceId;
  const spanId = randomPool.nonZeroHex(8);
  const sampled = parent === undefined ? true : parent.sampled;
  return { traceId, spanId, sampled, traceparent: formatTraceparent(traceId, spanId, sampled) };
}
