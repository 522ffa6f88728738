import type { Kysely } from 'kysely';
import { loggableError, mapDatabaseError } from '@mcpfed/db';
import { JSON_RPC } from '@mcpfed/errors';
import { withDeadline } from '@mcpfed/resilience';
import { runWithRequestScope } from '@mcpfed/telemetry';
import type { Logger, Tracing } from '@mcpfed/telemetry';
import type { CallEnvelope } from './call-envelope.ts';
import { toProtocolError } from './to-protocol-error.ts';
import { traceableError } from './traceable-error.ts';
import type { ToolContext } from './types.ts';

/** Collaborators of a {@link RequestRunner}. */
export interface RequestRunnerDeps<DB> {
  db: Kysely<DB>;
  logger: Logger;
  tracing: Tracing;
  /** Deadline of every request it runs, in milliseconds. */
  deadlineMs: number;
}

/**
 * Runs the domain function of a request other than tools/call (resources, prompts, completion, tasks) with the
 * caller's context: a span, the deadline, the request scope of the logs and the one error conversion (a JSON-RPC
 * error; only an unexpected failure is logged and recorded on the span).
 */
export class RequestRunner<DB> {
  readonly #deps: RequestRunnerDeps<DB>;

  constructor(deps: RequestRunnerDeps<DB>) {
    this.#deps = deps;
  }

  /** Runs `fn` as the request `kind` (the span name, e.g. `resources/read`). */
  async run<T>(kind: string, envelope: CallEnvelope, fn: (ctx: ToolContext<DB>) => Promise<T>): Promise<T> {
    const { db, logger, tracing, deadlineMs } = this.#deps;
    // The span is ended on every outcome: an unended span is never exported, and handlers' trace context
    // would then point at a span no collector ever sees.
    const span = tracing.startSpan(kind, { parent: envelope.parentTrace });
    let outcome: 'ok' | 'error' = 'error';
    return runWithRequestScope({ requestId: envelope.requestId, principal: envelope.principal.id, traceId: span.context.traceId }, async () => {
      try {
        const result = await withDeadline(
          deadlineMs,
          (signal) =>
            fn({
              requestId: envelope.requestId,
              principal: envelope.principal,
              signal,
              log: logger,
              trace: span.context,
              db,
              hasScope: (scope) => envelope.principal.scopes.has(scope),
              ...(envelope.protocolVersion === undefined ? {} : { protocolVersion: envelope.protocolVersion }),
              progress: async () => {},
              clientLog: envelope.clientLog,
            }),
          envelope.signal,
        );
        outcome = 'ok';
        return result;
      } catch (thrown) {
        const error = toProtocolError(mapDatabaseError(thrown), envelope.requestId);
        // Only INTERNAL maps to the JSON-RPC internal error code.
        if (error.code === JSON_RPC.INTERNAL_ERROR) {
          logger.error({ err: loggableError(thrown) }, `${kind} failed unexpectedly`);
          span.recordError(traceableError(thrown));
        }
        throw error;
      } finally {
        span.end(outcome);
      }
    });
  }
}
