import type { Kysely } from 'kysely';
import { missingScopes } from '@mcpfed/auth';
import { isConnectionError, loggableError, mapDatabaseError } from '@mcpfed/db';
import { AppError, toToolErrorResult } from '@mcpfed/errors';
import { withDeadline } from '@mcpfed/resilience';
import { runWithRequestScope } from '@mcpfed/telemetry';
import type { Logger, Metrics, TraceContext, Tracing } from '@mcpfed/telemetry';
import { auditIdentity } from './audit-identity.ts';
import type { CallEnvelope } from './call-envelope.ts';
import type { CallToolResultJson } from './call-tool-result-json.ts';
import { DryRunRollback } from './dry-run-rollback.ts';
import type { AuditLog } from './audit-log.ts';
import type { AuditRecord } from './audit-statements.ts';
import { IdempotencyStore } from './idempotency-store.ts';
import type { IdempotencyKeyRef } from './idempotency-store.ts';
import { checkInputText, inputTextError } from './input-text-check.ts';
import type { InputLimits } from './input-text-check.ts';
import { rateLimitKeyOf } from './rate-limit-key.ts';
import { traceableError } from './traceable-error.ts';
import { prepareTools } from './prepared-tool.ts';
import type { PreparedTool } from './prepared-tool.ts';
import { digest, keyedDigest, redactArguments } from './redact-arguments.ts';
import { validationError } from './validation-error.ts';
import type { ToolBinding, ToolContext } from './types.ts';

/** Settings of a {@link ToolRunner}. */
export interface ToolRunnerConfig<DB> {
  db: Kysely<DB>;
  tools: readonly ToolBinding<DB>[];
  logger: Logger;
  metrics: Metrics;
  tracing: Tracing;
  audit: AuditLog;
  /** HMAC key of the audit records' `args_digest` (AUDIT_DIGEST_KEY). */
  auditDigestKey: string | Buffer;
  /** What the edge check admits in a call's arguments. */
  inputLimits: InputLimits;
  /** Per principal (see rateLimitKeyOf) and tool; shared across replicas through Redis. */
  rateLimiter: { consume(principalId: string, tool: string): Promise<void> } | undefined;
  /** Deadline of a tool without its own `deadlineMs`, in milliseconds. Default 5000. */
  defaultDeadlineMs: number;
}

/**
 * Runs one tools/call around the bound handler: scope check, rate limit, input validation, deadline,
 * idempotency, transaction, output validation, audit, metrics, span and the single error conversion.
 * Nothing here throws to the protocol layer except an unknown tool name (a JSON-RPC error by spec).
 */
export class ToolRunner<DB> {
  readonly #tools: Map<string, PreparedTool<DB>>;
  readonly #config: ToolRunnerConfig<DB>;
  readonly #idempotency = new IdempotencyStore();

  constructor(config: ToolRunnerConfig<DB>) {
    this.#config = config;
    this.#tools = prepareTools(config.tools, config.defaultDeadlineMs);
  }

  /** Whether a tool of this name is bound. */
  has(name: string): boolean {
    return this.#tools.has(name);
  }

  /** The bound tool of a name (or former name), if any. */
  binding(name: string): ToolBinding<DB> | undefined {
    return this.#tools.get(name)?.binding;
  }

  /** A tool's output as a tools/call result (content blocks, structured content, links), e.g. a task's final result. */
  resultOf(name: string, output: Record<string, unknown>): CallToolResultJson {
    const tool = this.#tools.get(name);
    if (!tool) throw new Error(`unknown tool ${name}`);
    return this.#success(tool, this.#validOutput(tool, output), {});
  }

  /** Runs a call. The tool must exist (check with {@link has}). */
  async call(calledName: string, args: unknown, envelope: CallEnvelope): Promise<CallToolResultJson> {
    const tool = this.#tools.get(calledName);
    if (!tool) throw new Error(`unknown tool ${calledName}`);
    // A former name (alias) is the same tool: one idempotency record, rate budget, audit name and metric for both.
    const name = tool.contract.name;
    const started = performance.now();
    const span = this.#config.tracing.startSpan(`tools/call ${name}`, {
      parent: envelope.parentTrace,
      attributes: { 'mcp.tool': name, 'enduser.id': envelope.principal.id },
    });
    const scope = { requestId: envelope.requestId, traceId: span.context.traceId, principal: envelope.principal.id, tool: name };
    return runWithRequestScope(scope, async () => {
      let outcome = 'ok';
      let replayed = false;
      let dryRun = false;
      let auditedInTransaction = false;
      /** Id of the write-ahead audit record, once written. */
      let auditId: string | undefined;
      let result: CallToolResultJson;
      // Digest and redaction are computed at most once per call, even when a record is built twice (a commit
      // that fails after the in-transaction audit row was prepared). Both are iterative and bounded, so any
      // arguments — also those the edge check refuses — can be audited.
      let auditedArgs: { digest: string; args: unknown } | undefined;
      const audit = (outcomeValue: string): AuditRecord => {
        auditedArgs ??= { digest: keyedDigest(args ?? {}, this.#config.auditDigestKey), args: redactArguments(args ?? {}, tool.redacted) };
        return {
          at: new Date(),
          requestId: envelope.requestId,
          traceId: span.context.traceId,
          ...auditIdentity(envelope.principal),
          tool: name,
          outcome: outcomeValue,
          durationMs: performance.now() - started,
          argsDigest: auditedArgs.digest,
          args: auditedArgs.args,
          replayed,
          dryRun,
        };
      };
      try {
        const missing = missingScopes(envelope.principal, tool.contract.scopes);
        if (missing.length > 0) {
          throw new AppError(
            'FORBIDDEN',
            `${name} needs the scope(s) ${missing.join(', ')}, which this token does not grant. Ask for a token with them; do not retry as is.`,
            {
              details: { required: [...tool.contract.scopes], missing },
            },
          );
        }
        // Before anything walks the arguments (zod, handlers, SQL): text PostgreSQL cannot store and nesting a
        // recursive walker cannot survive are refused here, for every tool.
        const problem = checkInputText(args ?? {}, this.#config.inputLimits);
        if (problem !== undefined) throw inputTextError(problem);
        if (this.#config.rateLimiter) await this.#config.rateLimiter.consume(rateLimitKeyOf(envelope.principal), name);
        const parsed = tool.contract.input.safeParse(args ?? {});
        if (!parsed.success) throw validationError(parsed.error);
        let input = parsed.data as Record<string, unknown>;
        const taskInput = tool.binding.options.task?.input;
        if (envelope.asTask === true && taskInput !== undefined) input = taskInput(input);
        dryRun = tool.hasDryRun && input['dry_run'] === true;
        const output = await withDeadline(
          tool.deadlineMs,
          async (signal) => {
            if (!tool.inTransaction) {
              if (tool.writeAhead) auditId = await this.#beginAudit(audit('started'));
              return this.#validOutput(tool, await tool.binding.handler(input, this.#context(envelope, span.context, signal, this.#config.db)));
            }
            try {
              return await this.#config.db.transaction().execute(async (trx) => {
                const key = typeof input['idempotency_key'] === 'string' && !dryRun ? input['idempotency_key'] : undefined;
                let ref: IdempotencyKeyRef | undefined;
                if (key !== undefined) {
                  const { idempotency_key: _key, ...rest } = input;
                  ref = { principalId: envelope.principal.id, tool: name, key, requestHash: digest(rest) };
                  const claim = await this.#idempotency.claim(trx, ref);
                  if (claim.status === 'replay') {
                    replayed = true;
                    return tool.hasReplayed ? { ...claim.response, replayed: true } : claim.response;
                  }
                }
                const out = this.#validOutput(tool, await tool.binding.handler(input, this.#context(envelope, span.context, signal, trx)));
                if (dryRun) throw new DryRunRollback(out);
                if (ref) await this.#idempotency.complete(trx, ref, out);
                await this.#config.audit.writeInTransaction(trx, audit('ok'));
                auditedInTransaction = true;
                return out;
              });
            } catch (error) {
              if (error instanceof DryRunRollback) return error.output;
              throw error;
            }
          },
          envelope.signal,
        );
        result = this.#success(tool, output, input);
        replayed ||= tool.hasReplayed && output['replayed'] === true;
        if (auditId !== undefined) await this.#config.audit.finish(auditId, { outcome: 'ok', durationMs: performance.now() - started, replayed, dryRun });
        else if (!auditedInTransaction) this.#config.audit.buffer(audit('ok'));
      } catch (thrown) {
        const failure = toToolErrorResult(mapDatabaseError(thrown), envelope.requestId);
        outcome = failure.structuredContent.error.code;
        if (outcome === 'INTERNAL') {
          this.#config.logger.error({ err: loggableError(thrown) }, 'tool call failed unexpectedly');
          span.recordError(traceableError(thrown));
        }
        result = failure;
        replayed = false;
        if (auditId !== undefined) await this.#config.audit.finish(auditId, { outcome, durationMs: performance.now() - started, replayed, dryRun });
        else this.#config.audit.buffer(audit(outcome));
      }
      const seconds = (performance.now() - started) / 1000;
      this.#config.metrics.observeToolCall(name, outcome === 'ok' ? 'ok' : 'error', seconds, outcome === 'ok' ? undefined : outcome);
      span.setAttribute('mcp.outcome', outcome);
      span.end(outcome === 'ok' ? 'ok' : 'error');
      if (this.#config.logger.isLevelEnabled('debug')) {
        this.#config.logger.debug({ outcome, duration_ms: seconds * 1000, replayed }, 'tool call');
      }
      return result;
    });
  }

  /**
   * Writes the write-ahead record of a call that manages its own transactions (docs/architecture.md §5: a write's audit
   * record is durable before its caller sees success). When it cannot be written the call does not run.
   */
  async #beginAudit(record: AuditRecord): Promise<string> {
    try {
      return await this.#config.audit.begin(record);
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      throw new AppError(
        'UPSTREAM_UNAVAILABLE',
        'The call was not run: its audit record could not be written because the database is unavailable. Retry shortly with the same arguments.',
        {
          cause: error,
        },
      );
    }
  }

  #context(envelope: CallEnvelope, trace: TraceContext, signal: AbortSignal, db: Kysely<DB>): ToolContext<DB> {
    const principal = envelope.principal;
    return {
      requestId: envelope.requestId,
      principal,
      signal,
      log: this.#config.logger,
      trace,
      db,
      hasScope: (scope: string) => principal.scopes.has(scope),
      ...(envelope.protocolVersion === undefined ? {} : { protocolVersion: envelope.protocolVersion }),
      progress: async (progress, total, message) => {
        await envelope.sendProgress?.(progress, total, message);
      },
      clientLog: envelope.clientLog,
    };
  }

  #validOutput(tool: PreparedTool<DB>, output: unknown): Record<string, unknown> {
    const parsed = tool.contract.output.safeParse(output);
    if (!parsed.success) {
      // A handler returned something its contract does not allow: a server bug, never the caller's fault.
      throw new AppError('INTERNAL', `output of ${tool.contract.name} does not match its contract`, { cause: parsed.error });
    }
    return parsed.data as Record<string, unknown>;
  }

  #success(tool: PreparedTool<DB>, output: Record<string, unknown>, input: Record<string, unknown>): CallToolResultJson {
    const content: Array<Record<string, unknown>> = [{ type: 'text', text: JSON.stringify(output) }];
    const options = tool.binding.options;
    if (options.content) content.push(...options.content(output).map((block) => ({ ...block })));
    if (options.links) {
      for (const link of options.links(output, input)) content.push({ type: 'resource_link', ...link });
    }
    return { content, structuredContent: output };
  }
}
