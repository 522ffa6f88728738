import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Correlation fields of the request being served, carried implicitly through async calls so every
 * log line written while serving it names the request (see `createLogger`). Business code still
 * receives its `RequestContext` explicitly; this scope exists for log correlation only.
 */
export interface RequestScope {
  /** Id of this request (see `newRequestId`); logged as `request_id`. */
  readonly requestId: string;
  /** W3C trace id (32 lowercase hex) of the request; logged as `trace_id`. */
  readonly traceId?: string;
  /** Authenticated subject (never a token or an e-mail address); logged as `principal`. */
  readonly principal?: string;
  /** Name of the tool being called; logged as `tool`. */
  readonly tool?: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

/**
 * Runs `fn` with `scope` as the current request scope for everything it calls, synchronously or
 * asynchronously. Nest calls to narrow a scope (for example `{ ...currentRequestScope(), tool }`).
 * Returns what `fn` returns.
 */
export function runWithRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** The scope set by the innermost enclosing {@link runWithRequestScope}, or undefined outside any. */
export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}
