import { loggableError } from '@mcpfed/db';
import { AppError } from '@mcpfed/errors';
import type { Logger } from '@mcpfed/telemetry';
import { auditIdentity } from './audit-identity.ts';
import type { AuditLog } from './audit-log.ts';
import type { AuditRecord } from './audit-statements.ts';
import type { CallEnvelope } from './call-envelope.ts';
import { keyedDigest } from './redact-arguments.ts';
import { toProtocolError } from './to-protocol-error.ts';

/**
 * The audit records of tasks/cancel (tool `tasks/cancel`, the task id as sent as its argument): written ahead like a
 * write tool's call and completed with the outcome, or buffered when the cancel was refused.
 */
export class CancelAudit {
  readonly #audit: AuditLog;
  readonly #logger: Logger;
  readonly #digestKey: string | Buffer;

  constructor(audit: AuditLog, logger: Logger, digestKey: string | Buffer) {
    this.#audit = audit;
    this.#logger = logger;
    this.#digestKey = digestKey;
  }

  /**
   * Writes the record ahead (`started`) and returns the function that completes it with the outcome.
   *
   * @throws ProtocolError (UPSTREAM_UNAVAILABLE) when the record cannot be written: the cancel is then not run.
   */
  async begin(taskId: string, envelope: CallEnvelope): Promise<(outcome: string) => Promise<void>> {
    const started = performance.now();
    const id = await this.#audit.begin(this.#record(taskId, envelope)).catch((error: unknown) => {
      this.#logger.warn({ err: loggableError(error) }, 'tasks/cancel audit record could not be written; the cancel is not run');
      throw toProtocolError(
        new AppError('UPSTREAM_UNAVAILABLE', 'The cancel was not run: its audit record could not be written. Retry shortly.'),
        envelope.requestId,
      );
    });
    return (outcome) => this.#audit.finish(id, { outcome, durationMs: performance.now() - started, replayed: false, dryRun: false });
  }

  /** Records a refused cancel (an unknown task, another principal's, a terminal one): the raw task id and why. */
  refused(taskId: unknown, envelope: CallEnvelope, outcome: 'NOT_FOUND' | 'PRECONDITION_FAILED'): void {
    this.#audit.buffer({ ...this.#record(taskId, envelope), outcome });
  }

  #record(taskId: unknown, envelope: CallEnvelope): AuditRecord {
    const args = { taskId };
    return {
      at: new Date(),
      requestId: envelope.requestId,
      traceId: envelope.parentTrace?.traceId,
      ...auditIdentity(envelope.principal),
      tool: 'tasks/cancel',
      outcome: 'started',
      durationMs: 0,
      argsDigest: keyedDigest(args, this.#digestKey),
      args,
      replayed: false,
      dryRun: false,
    };
  }
}
