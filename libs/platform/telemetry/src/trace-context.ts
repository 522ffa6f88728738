/** W3C trace context of the current request (https://www.w3.org/TR/trace-context/). */
export interface TraceContext {
  /** 32 lowercase hex characters. */
  readonly traceId: string;
  /** 16 lowercase hex characters: the span of this unit of work. */
  readonly spanId: string;
  /** Whether the trace is sampled (flags 01). */
  readonly sampled: boolean;
  /** The `traceparent` header value to send downstream for this span. */
  readonly traceparent: string;
}
