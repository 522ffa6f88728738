export { childTraceContext } from './child-trace-context.ts';
export { LOG_LEVELS, createLogger } from './create-logger.ts';
export type { LogDestination, LogLevel, Logger, LoggerConfig } from './create-logger.ts';
export { createMetrics } from './create-metrics.ts';
export type { MetricsConfig } from './create-metrics.ts';
export type { GaugeCollector, SetGauge } from './gauge-collector.ts';
export type { Metrics, MetricsPage, ToolOutcome } from './metrics.ts';
export { TOOL_DURATION_BUCKETS } from './tool-duration-buckets.ts';
export { initTracing } from './init-tracing.ts';
export type {
  SpanAttributeValue,
  SpanHandle,
  SpanKindName,
  SpanOutcome,
  StartSpanOptions,
  Tracing,
  TracingConfig,
} from './init-tracing.ts';
export { newRequestId } from './new-request-id.ts';
export { registerPoolMetrics } from './register-pool-metrics.ts';
export type { PoolStats } from './register-pool-metrics.ts';
export { currentRequestScope, runWithRequestScope } from './request-scope.ts';
export type { RequestScope } from './request-scope.ts';
export type { TraceContext } from './trace-context.ts';
export { formatTraceparent, parseTraceparent } from './traceparent.ts';
export type { TraceParent } from './traceparent.ts';
