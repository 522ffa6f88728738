import { cancellationError } from './cancellation-error.ts';

/**
 * Settles like `work`, unless `signal` aborts first: then rejects at once with {@link cancellationError} of the
 * signal's reason. `work` itself goes on (it may be shared with other callers); only this caller stops waiting.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  const { promise, resolve, reject } = Promise.withResolvers<T>();
  const onAbort = (): void => reject(cancellationError(signal.reason));
  signal.addEventListener('abort', onAbort, { once: true });
  work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  return promise;
}
