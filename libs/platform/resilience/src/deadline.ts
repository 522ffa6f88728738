import { AppError } from '@mcpfed/errors';
import { cancellationError } from './cancellation-error.ts';

/**
 * Runs `fn` with a deadline of `ms` milliseconds — the per-tool-call deadline of the MCP runtime.
 * On expiry it rejects at once with AppError TIMEOUT (details `{ deadline_ms }`) and aborts the
 * signal given to `fn` with that same error as the reason, so the I/O it started is cancelled and
 * nested policies report the same deadline. When `parent` aborts (the client cancelled or went away),
 * the signal aborts too and the call rejects at once (see {@link cancellationError}). Cheap enough
 * for every call: one AbortController and one timer, cleared as soon as the call settles.
 * @param ms Deadline in milliseconds (> 0).
 * @param fn The work; pass `signal` on to its I/O.
 * @param parent The caller's signal, when there is one.
 */
export function withDeadline<T>(ms: number, fn: (signal: AbortSignal) => Promise<T>, parent?: AbortSignal): Promise<T> {
  if (!Number.isFinite(ms) || ms <= 0) return Promise.reject(new RangeError(`deadline must be a positive number of milliseconds, got ${ms}`));
  if (parent?.aborted) return Promise.reject(cancellationError(parent.reason));
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const onParentAbort = (): void => {
      settle();
      reject(cancellationError(parent?.reason));
      controller.abort(parent?.reason);
    };
    const timer = setTimeout(() => {
      settle();
      const error = new AppError('TIMEOUT', `the call did not finish within its ${ms} ms deadline`, {
        details: { deadline_ms: ms },
      });
      reject(error);
      controller.abort(error);
    }, ms);
    function settle(): void {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    }
    parent?.addEventListener('abort', onParentAbort, { once: true });
    let work: Promise<T>;
    try {
      work = fn(controller.signal);
    } catch (error) {
      settle();
      reject(error);
      return;
    }
    work.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}
