import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import {
  CompleteRequestSchema,
  CancelTaskRequestSchema,
  GetPromptRequestSchema,
  GetTaskPayloadRequestSchema,
  GetTaskRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { toolGuideUri } from '@mcpfed/contract-common';
import type { ToolContract } from '@mcpfed/contract-common';
import { missingScopes } from '@mcpfed/auth';
import type { Principal } from '@mcpfed/auth';
import { randomBytes } from 'node:crypto';
import { loggableError, mapDatabaseError } from '@mcpfed/db';
import { AppError, JSON_RPC, toJsonRpcError } from '@mcpfed/errors';
import { withDeadline } from '@mcpfed/resilience';
import { newRequestId, parseTraceparent, runWithRequestScope } from '@mcpfed/telemetry';
import type { Logger, Metrics, TraceContext, Tracing } from '@mcpfed/telemetry';
import { AuditLog } from './audit-log.ts';
import { clientLog } from './client-log.ts';
import { completeArgument } from './complete-argument.ts';
import type { CompletionResult } from './complete-argument.ts';
import { auditIdentity } from './audit-identity.ts';
import { keyedDigest } from './redact-arguments.ts';
import { IdempotencyStore } from './idempotency-store.ts';
import { DEFAULT_INPUT_LIMITS, checkInputText, inputTextError } from './input-text-check.ts';
import type { InputLimits } from './input-text-check.ts';
import { META_LOG_LEVEL, isLogLevel } from './log-level.ts';
import type { LogLevel } from './log-level.ts';
import { LogLevelMemory } from './log-level-memory.ts';
import type { ServerIcon } from './server-icon.ts';
import { ProtocolError } from './protocol-error.ts';
import { isModernRevision, requestRevision } from './protocol-revision.ts';
import { storableText } from './storable-text.ts';
import { traceableError } from './traceable-error.ts';
import { catalogMeta, toolDefinition } from './tool-definition.ts';
import { resultFields } from './result-fields.ts';
import { ToolRunner } from './tool-runner.ts';
import { ToolTasks, runsAsTask } from './tool-tasks.ts';
import { acceptsUrlElicitation, declaresTasksExtension, taskCapabilities, taskRevisionOf, tasksExtensionMissing, urlElicitationAnswer } from './task-wire.ts';
import type { CallEnvelope } from './call-envelope.ts';
import type { PromptBinding, ResourceBinding, ToolBinding, ToolContext } from './types.ts';

/** Settings of an {@link McpHost}. */
export interface McpHostConfig<DB> {
  /** Server name reported at initialize, e.g. `customer-server`. */
  name: string;
  version: string;
  title?: string;
  /** What this server does, for people choosing servers (initialize `serverInfo.description`). */
  description?: string;
  /** Icons of this server (initialize `serverInfo.icons`): data: URIs or this server's own URLs, never other hosts. */
  icons?: readonly ServerIcon[];
  /** Guidance for the model on how to use this server's tools, sent at initialize. */
  instructions?: string;
  /** The domain database (pool). Write tools get a transaction on it; the audit log and idempotency records live in it. */
  db: Kysely<DB>;
  tools: readonly ToolBinding<DB>[];
  resources?: readonly ResourceBinding<DB>[];
  prompts?: readonly PromptBinding<DB>[];
  logger: Logger;
  metrics: Metrics;
  tracing: Tracing;
  /** Rate limit per principal and tool (shared through Redis). Omit to disable. */
  rateLimiter?: { consume(principalId: string, tool: string): Promise<void> };
  /** Deadline of tools without their own, in milliseconds. Default 5000. */
  defaultDeadlineMs?: number;
  /** How often buffered audit records (reads, failures) are written, in milliseconds. Default 1000. */
  auditFlushIntervalMs?: number;
  /**
   * HMAC key of the audit records' `args_digest` (`AUDIT_DIGEST_KEY`, at least 32 characters). Default: a random key
   * per process, so digests are comparable only within one process lifetime (tests); `runMcpServer` always passes
   * the configured key.
   */
  auditDigestKey?: string;
  /** Days an audit record is kept (`AUDIT_RETENTION_DAYS`). Default 365. */
  auditRetentionDays?: number;
  /** How often expired audit records are deleted, in milliseconds. Default 600000 (10 minutes). */
  auditPurgeIntervalMs?: number;
  /** What the edge check admits in arguments, prompt arguments and resource URIs. Default {@link DEFAULT_INPUT_LIMITS}. */
  inputLimits?: InputLimits;
  /**
   * How long idempotency records (and their stored responses) are kept, in milliseconds. Default 24 h: a retry
   * with the same key after that runs again. Expired records are deleted every 15 minutes.
   */
  idempotencyRetentionMs?: number;
}

/** A server's full identity, as initialize and `server/discover` send it. */
export interface ServerInfo {
  name: string;
  version: string;
  title?: string;
  description?: string;
  icons?: Array<{ src: string; mimeType?: string; sizes?: string[]; theme?: 'light' | 'dark' }>;
}

/** Data a transport attaches to each incoming request (through the SDK's `authInfo.extra`). */
export interface RequestAttachment {
  principal: Principal;
  requestId: string;
  /** W3C traceparent header of the HTTP request, if any. */
  traceparent?: string;
}

/** What a transport host needs of an {@link McpHost}: a way to make SDK servers (any database type). */
export interface ServerFactory {
  createServer(connectionPrincipal?: Principal): Server;
  /** Whether `principal` set a log level (logging/setLevel), so its requests may carry log messages. */
  sendsLogsTo?(principal: Principal): boolean;
  /** Identity put in 2026-07-28 results' `_meta` (`io.modelcontextprotocol/serverInfo`): name, version, title only. */
  readonly serverInfo?: { name: string; version: string; title?: string };
}


function toProtocolError(error: unknown, requestId: string | undefined): ProtocolError {
  const rpc = toJsonRpcError(error, requestId);
  return new ProtocolError(rpc.code, rpc.message, rpc.data);
}

const META_TRACEPARENT = 'traceparent';

interface HandlerExtra {
  signal: AbortSignal;
  requestInfo?: { headers?: Record<string, string | string[] | undefined> } | undefined;
  authInfo?: { extra?: Record<string, unknown> } | undefined;
  _meta?: Record<string, unknown> | undefined;
  sendNotification: (
    notification:
      | { method: 'notifications/progress'; params: { progressToken: string | number; progress: number; total?: number; message?: string } }
      | { method: 'notifications/message'; params: { level: LogLevel; logger: string; data: Record<string, unknown> } },
  ) => Promise<void>;
}

/**
 * A domain's MCP surface built from its contract bindings. `createServer()` gives an SDK `Server` with every
 * handler installed; the HTTP host shares one across requests, stdio and tests make one per connection.
 * Tool schemas are converted to JSON Schema once, here, not per request.
 */
export class McpHost<DB> implements ServerFactory {
  readonly name: string;
  readonly version: string;
  readonly #config: McpHostConfig<DB>;
  readonly #runner: ToolRunner<DB>;
  readonly #audit: AuditLog;
  readonly #toolList: Array<{ scopes: readonly string[]; json: Record<string, unknown> }>;
  readonly #templates: Array<{ binding: ResourceBinding<DB>; template: UriTemplate | undefined }>;
  readonly #prompts = new Map<string, PromptBinding<DB>>();
  readonly #validator = new AjvJsonSchemaValidator();
  readonly #purgeTimer: NodeJS.Timeout;
  readonly #inputLimits: InputLimits;
  readonly #logLevels = new LogLevelMemory();
  readonly #completes: boolean;
  readonly #auditDigestKey: string | Buffer;
  /** Task support of the tools that declare it; undefined when none does (task metadata is then ignored). */
  readonly #tasks: ToolTasks<DB> | undefined;
  /** Full identity, for initialize and `server/discover`. */
  readonly #serverInfo: ServerInfo;
  /** Short identity for every 2026-07-28 result's `_meta`: no description or icons (data: URIs) on each call. */
  readonly #resultServerInfo: { name: string; version: string; title?: string };

  constructor(config: McpHostConfig<DB>) {
    this.#config = config;
    this.#inputLimits = config.inputLimits ?? DEFAULT_INPUT_LIMITS;
    this.#auditDigestKey = config.auditDigestKey ?? randomBytes(32);
    this.name = config.name;
    this.version = config.version;
    this.#audit = new AuditLog({
      db: config.db,
      logger: config.logger,
      flushIntervalMs: config.auditFlushIntervalMs ?? 1000,
      ...(config.auditRetentionDays === undefined ? {} : { retentionDays: config.auditRetentionDays }),
      ...(config.auditPurgeIntervalMs === undefined ? {} : { purgeIntervalMs: config.auditPurgeIntervalMs }),
    });
    this.#runner = new ToolRunner({
      db: config.db,
      tools: config.tools,
      logger: config.logger,
      metrics: config.metrics,
      tracing: config.tracing,
      audit: this.#audit,
      auditDigestKey: this.#auditDigestKey,
      inputLimits: this.#inputLimits,
      rateLimiter: config.rateLimiter,
      defaultDeadlineMs: config.defaultDeadlineMs ?? 5000,
    });
    this.#tasks = config.tools.some((t) => runsAsTask(t))
      ? new ToolTasks({
          runner: this.#runner,
          run: (kind, envelope, fn) => this.#nonTool(kind, envelope, fn),
          defaultDeadlineMs: config.defaultDeadlineMs ?? 5000,
          auditCancel: (taskId, envelope) => this.#auditCancel(taskId, envelope),
          auditRefusedCancel: (taskId, envelope, outcome) => this.#audit.buffer({ ...this.#cancelRecord(taskId, envelope), outcome }),
        })
      : undefined;
    this.#resultServerInfo = { name: config.name, version: config.version, ...(config.title ? { title: config.title } : {}) };
    this.#serverInfo = {
      ...this.#resultServerInfo,
      ...(config.description ? { description: config.description } : {}),
      ...(config.icons ? { icons: config.icons.map(({ sizes, ...icon }) => ({ ...icon, ...(sizes ? { sizes: [...sizes] } : {}) })) } : {}),
    };
    this.#toolList = config.tools.map(({ contract }) => ({
      scopes: contract.scopes,
      json: toolDefinition(contract, config.defaultDeadlineMs ?? 5000),
    }));
    this.#templates = [...(config.resources ?? []), ...config.tools.flatMap(({ contract }) => toolGuideBinding<DB>(contract))].map((binding) => ({
      binding,
      template: UriTemplate.isTemplate(binding.contract.uri) ? new UriTemplate(binding.contract.uri) : undefined,
    }));
    for (const prompt of config.prompts ?? []) this.#prompts.set(prompt.contract.name, prompt);
    this.#completes = [...(config.prompts ?? []), ...(config.resources ?? [])].some((binding) => binding.complete !== undefined);
    const retentionMs = config.idempotencyRetentionMs ?? 24 * 60 * 60 * 1000;
    const store = new IdempotencyStore();
    this.#purgeTimer = setInterval(() => {
      store
        .purgeExpired(config.db, retentionMs)
        .then((purged) => purged > 0 && config.logger.info({ purged }, 'expired idempotency records deleted'))
        .catch((error: unknown) => config.logger.warn({ err: loggableError(error) }, 'idempotency purge failed'));
    }, 15 * 60 * 1000);
    this.#purgeTimer.unref();
  }

  /**
   * Identity put in 2026-07-28 results' `_meta`: name, version and title only, built once. The full identity
   * (description, icons) is sent at initialize and `server/discover`.
   */
  get serverInfo(): { name: string; version: string; title?: string } {
    return this.#resultServerInfo;
  }

  /** Tool definitions (as in tools/list) the principal may call. */
  listTools(principal: Principal): Array<Record<string, unknown>> {
    return this.#toolList.filter((t) => missingScopes(principal, t.scopes).length === 0).map((t) => t.json);
  }

  /** Whether `principal` set a log level with `logging/setLevel` that still holds. */
  sendsLogsTo(principal: Principal): boolean {
    return this.#logLevels.get(principal.id) !== undefined;
  }

  /** Runs a tool call outside any transport (used by the stdio and HTTP servers through `createServer`). */
  callTool(name: string, args: unknown, envelope: CallEnvelope) {
    if (!this.#runner.has(name)) {
      const shown = storableText(name, 64);
      throw new ProtocolError(-32602, `Unknown tool: ${shown}. Call tools/list to see the tools available to you.`, {
        code: 'VALIDATION_FAILED',
        message: `Unknown tool: ${shown}`,
        retryable: false,
      });
    }
    return this.#runner.call(name, args, envelope);
  }

  /**
   * A new SDK `Server` with every handler installed. `connectionPrincipal` is the caller for transports
   * without per-request auth (stdio, in-memory); HTTP passes the principal with each request instead.
   */
  createServer(connectionPrincipal?: Principal): Server {
    const server = new Server(
      this.#serverInfo,
      {
        capabilities: {
          tools: { listChanged: false },
          resources: { listChanged: false },
          prompts: { listChanged: false },
          logging: {},
          ...(this.#completes ? { completions: {} } : {}),
          // initialize speaks 2025-11-25 and earlier; the 2026-07-28 discovery turns this into the tasks extension.
          ...(this.#tasks === undefined ? {} : taskCapabilities('2025-11-25')),
        },
        instructions: [this.#config.instructions, CATALOG_INSTRUCTIONS].filter(Boolean).join(' '),
        jsonSchemaValidator: this.#validator,
      },
    );
    const envelopeOf = (extra: HandlerExtra): CallEnvelope => {
      const attachment = extra.authInfo?.extra?.['mcpfed'] as RequestAttachment | undefined;
      const principal = attachment?.principal ?? connectionPrincipal;
      if (!principal) throw new ProtocolError(-32600, 'unauthenticated request');
      const progressToken = extra._meta?.['progressToken'] as string | number | undefined;
      const traceparent = (extra._meta?.[META_TRACEPARENT] as string | undefined) ?? attachment?.traceparent;
      const protocolVersion = requestRevision(extra._meta, extra.requestInfo?.headers?.['mcp-protocol-version']);
      return {
        clientLog: clientLog(this.#config.name, this.#logLevelOf(extra, principal, protocolVersion), (notification) => extra.sendNotification(notification)),
        requestId: attachment?.requestId ?? newRequestId(),
        principal,
        parentTrace: parentTrace(traceparent),
        signal: extra.signal,
        protocolVersion,
        sendProgress:
          progressToken === undefined
            ? undefined
            : (progress, total, message) =>
                extra.sendNotification({
                  method: 'notifications/progress',
                  params: { progressToken, progress, ...(total === undefined ? {} : { total }), ...(message === undefined ? {} : { message }) },
                }),
      };
    };
    // Each handler is registered with a lenient schema and validates params itself, so a malformed request is
    // a -32602 "Invalid params" naming the problem rather than the protocol layer's generic -32603.
    const on = <S extends z.ZodObject>(schema: S, handle: (request: z.output<S>, extra: HandlerExtra) => Promise<unknown>) => {
      const method = (schema.shape as { method: z.ZodLiteral<string> }).method.value;
      server.setRequestHandler(z.looseObject({ method: z.literal(method), params: z.unknown().optional() }) as never, (async (request: unknown, extra: unknown) => {
        // The edge check of resource URIs, prompt arguments and cursors, before zod or a handler walks them.
        const problem = checkInputText((request as { params?: unknown }).params ?? {}, this.#inputLimits);
        if (problem !== undefined) throw toProtocolError(inputTextError(problem, `params for ${method}`), undefined);
        const parsed = schema.safeParse(request);
        if (!parsed.success) {
          throw new ProtocolError(-32602, `Invalid params for ${method}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
        }
        return handle(parsed.data, extra as HandlerExtra);
      }) as never);
    };
    on(ListToolsRequestSchema as unknown as z.ZodObject, async (_request, extra) => ({ tools: this.listTools(envelopeOf(extra).principal) }));
    // tools/call is the hot path: it bypasses the SDK's generic request and result schema parsing (two zod
    // parses of every call and its whole result) with the equivalent checks below; the runner validates the
    // arguments against the tool's own contract and builds the result in the spec's shape.
    server.fallbackRequestHandler = (async (request: { method: string; params?: unknown }, extra: unknown) => {
      if (request.method !== 'tools/call') throw new ProtocolError(-32601, 'Method not found');
      const params = request.params as { name?: unknown; arguments?: unknown; _meta?: unknown } | undefined;
      if (params === null || typeof params !== 'object' || typeof params.name !== 'string' || params.name.length === 0) {
        throw new ProtocolError(-32602, 'Invalid params for tools/call: params.name must be a tool name');
      }
      if (params.arguments !== undefined && (params.arguments === null || typeof params.arguments !== 'object' || Array.isArray(params.arguments))) {
        throw new ProtocolError(-32602, 'Invalid params for tools/call: params.arguments must be an object');
      }
      const handlerExtra = extra as HandlerExtra;
      const task = (params as { task?: unknown }).task;
      const revision = revisionOf(handlerExtra);
      // 2026-07-28: the server decides; a tool with task support runs as a task for a client declaring the extension.
      const initialized = connectionPrincipal === undefined ? undefined : (server.getClientCapabilities() as Record<string, unknown> | undefined);
      if (revision === '2026-07-28' && this.#tasks !== undefined && declaresTasksExtension(handlerExtra._meta) && runsAsTask(this.#runner.binding(params.name))) {
        return this.#tasks.call(params.name, params.arguments, envelopeOf(handlerExtra), revision, acceptsUrlElicitation(handlerExtra._meta, initialized));
      }
      if (task !== undefined && this.#tasks !== undefined && revision === '2025-11-25') {
        if (task === null || typeof task !== 'object' || Array.isArray(task)) throw new ProtocolError(-32602, 'Invalid params for tools/call: params.task must be an object');
        if (!this.#runner.has(params.name)) return this.callTool(params.name, params.arguments, envelopeOf(handlerExtra));
        return this.#tasks.call(params.name, params.arguments, envelopeOf(handlerExtra), revision);
      }
      const result = await this.callTool(params.name, params.arguments, envelopeOf(handlerExtra));
      // A result waiting for a person goes to a client that takes URL elicitation as that elicitation; others
      // keep the link in the result.
      const elicitation = result.isError === true ? undefined : this.#runner.binding(params.name)?.options.elicitation?.(result.structuredContent ?? {});
      if (elicitation === undefined) return result;
      if (!acceptsUrlElicitation(handlerExtra._meta, initialized)) return result;
      const answer = urlElicitationAnswer(revision, elicitation);
      if ('error' in answer) throw answer.error;
      return answer.result;
    }) as never;
    const tasks = this.#tasks;
    if (tasks !== undefined) {
      const taskIdOf = (request: unknown) => (request as { params?: { taskId?: unknown } }).params?.taskId;
      // 2026-07-28 (the tasks extension): only a client declaring the extension asks, and tasks/result is gone.
      const modernTasks = (method: string, extra: HandlerExtra) => {
        const revision = revisionOf(extra);
        if (revision === '2026-07-28' && !declaresTasksExtension(extra._meta)) throw tasksExtensionMissing(method);
        return revision;
      };
      on(GetTaskRequestSchema as unknown as z.ZodObject, async (request, extra) => tasks.get(taskIdOf(request), envelopeOf(extra), modernTasks('tasks/get', extra)));
      on(GetTaskPayloadRequestSchema as unknown as z.ZodObject, async (request, extra) => {
        if (revisionOf(extra) === '2026-07-28') throw new ProtocolError(-32601, 'Method not found: tasks/result is not part of the 2026-07-28 tasks extension; tasks/get carries the result');
        return tasks.result(taskIdOf(request), envelopeOf(extra));
      });
      on(CancelTaskRequestSchema as unknown as z.ZodObject, async (request, extra) => tasks.cancel(taskIdOf(request), envelopeOf(extra), modernTasks('tasks/cancel', extra)));
    }
    on(ListResourcesRequestSchema as unknown as z.ZodObject, async (_request, extra) => ({ resources: await this.#listResources(envelopeOf(extra)) }));
    // The envelope (principal, log level, trace) is built once per list, not per item.
    on(ListResourceTemplatesRequestSchema as unknown as z.ZodObject, async (_request, extra) => {
      const { principal } = envelopeOf(extra);
      return {
        resourceTemplates: this.#templates
          .filter((t) => t.template && missingScopes(principal, t.binding.contract.scopes).length === 0)
          .map(({ binding: { contract } }) => ({
            uriTemplate: contract.uri,
            name: contract.name,
            title: contract.title,
            description: contract.description,
            mimeType: contract.mimeType,
            _meta: this.#nonToolMeta(contract.scopes),
          })),
      };
    });
    on(ReadResourceRequestSchema as unknown as z.ZodObject, async (request, extra) => ({
      contents: await this.#readResource((request as { params: { uri: string } }).params.uri, envelopeOf(extra)),
    }));
    on(ListPromptsRequestSchema as unknown as z.ZodObject, async (_request, extra) => {
      const { principal } = envelopeOf(extra);
      return {
        prompts: [...this.#prompts.values()]
          .filter(({ contract }) => missingScopes(principal, contract.scopes).length === 0)
          .map(({ contract }) => ({
            name: contract.name,
            title: contract.title,
            description: contract.description,
            arguments: Object.entries(contract.args.shape).map(([name, schema]) => ({
              name,
              description: (schema as z.ZodType).description ?? name,
              required: !(schema as z.ZodType).safeParse(undefined).success,
            })),
            _meta: this.#nonToolMeta(contract.scopes),
          })),
      };
    });
    on(GetPromptRequestSchema as unknown as z.ZodObject, async (request, extra) => {
      const params = (request as { params: { name: string; arguments?: Record<string, string> } }).params;
      return this.#getPrompt(params.name, params.arguments ?? {}, envelopeOf(extra));
    });
    // Replaces the SDK's own handler, which keeps one level per transport session: the HTTP host shares one
    // server among all callers and has no sessions, so the level is kept per caller instead (LogLevelMemory).
    on(SetLevelRequestSchema as unknown as z.ZodObject, async (request, extra) => {
      this.#logLevels.set(envelopeOf(extra).principal.id, (request as { params: { level: LogLevel } }).params.level);
      return {};
    });
    if (this.#completes) {
      on(CompleteRequestSchema as unknown as z.ZodObject, async (request, extra) =>
        this.#complete((request as { params: CompleteParams }).params, envelopeOf(extra)));
    }
    return server;
  }

  /** The write-ahead audit record of a tasks/cancel (tool `tasks/cancel`, the task id as its argument); completes with the outcome. */
  async #auditCancel(taskId: string, envelope: CallEnvelope): Promise<(outcome: string) => Promise<void>> {
    const started = performance.now();
    const id = await this.#audit
      .begin(this.#cancelRecord(taskId, envelope))
      .catch((error: unknown) => {
        this.#config.logger.warn({ err: loggableError(error) }, 'tasks/cancel audit record could not be written; the cancel is not run');
        throw toProtocolError(new AppError('UPSTREAM_UNAVAILABLE', 'The cancel was not run: its audit record could not be written. Retry shortly.'), envelope.requestId);
      });
    return (outcome) => this.#audit.finish(id, { outcome, durationMs: performance.now() - started, replayed: false, dryRun: false });
  }

  /** The audit record of a tasks/cancel, outcome `started`: the task id as sent is its argument. */
  #cancelRecord(taskId: unknown, envelope: CallEnvelope) {
    const args = { taskId };
    return {
      at: new Date(),
      requestId: envelope.requestId,
      traceId: envelope.parentTrace?.traceId,
      ...auditIdentity(envelope.principal),
      tool: 'tasks/cancel',
      outcome: 'started',
      durationMs: 0,
      argsDigest: keyedDigest(args, this.#auditDigestKey),
      args,
      replayed: false,
      dryRun: false,
    };
  }

  /** Writes the buffered audit records now (reads and failures are otherwise written every flush interval). */
  flushAudit(): Promise<void> {
    return this.#audit.flush();
  }

  /** Flushes buffered audit records; call on shutdown after in-flight calls finished. */
  async close(): Promise<void> {
    clearInterval(this.#purgeTimer);
    await this.#audit.close();
  }

  #nonToolMeta(scopes: readonly string[]): Record<string, unknown> {
    return catalogMeta(scopes, this.#config.defaultDeadlineMs ?? 5000);
  }

  async #nonTool<T>(kind: string, envelope: CallEnvelope, fn: (ctx: ToolContext<DB>) => Promise<T>): Promise<T> {
    // The span is ended on every outcome: an unended span is never exported, and handlers' trace context
    // would then point at a span no collector ever sees.
    const span = this.#config.tracing.startSpan(kind, { parent: envelope.parentTrace });
    let outcome: 'ok' | 'error' = 'error';
    return runWithRequestScope({ requestId: envelope.requestId, principal: envelope.principal.id, traceId: span.context.traceId }, async () => {
      try {
        const result = await withDeadline(
          this.#config.defaultDeadlineMs ?? 5000,
          (signal) =>
            fn({
              requestId: envelope.requestId,
              principal: envelope.principal,
              signal,
              log: this.#config.logger,
              trace: span.context,
              db: this.#config.db,
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
          this.#config.logger.error({ err: loggableError(thrown) }, `${kind} failed unexpectedly`);
          span.recordError(traceableError(thrown));
        }
        throw error;
      } finally {
        span.end(outcome);
      }
    });
  }

  #listResources(envelope: CallEnvelope) {
    return this.#nonTool('resources/list', envelope, async (ctx) => {
      const out: Array<Record<string, unknown>> = [];
      for (const { binding, template } of this.#templates) {
        if (missingScopes(ctx.principal, binding.contract.scopes).length > 0) continue;
        const { contract } = binding;
        const _meta = this.#nonToolMeta(contract.scopes);
        if (!template) out.push({ uri: contract.uri, name: contract.name, title: contract.title, description: contract.description, mimeType: contract.mimeType, _meta });
        else if (binding.list) out.push(...(await binding.list(ctx)).map((resource) => ({ ...resource, _meta })));
      }
      return out;
    });
  }

  #readResource(uri: string, envelope: CallEnvelope) {
    return this.#nonTool('resources/read', envelope, async (ctx) => {
      for (const { binding, template } of this.#templates) {
        const params = template ? template.match(uri) : binding.contract.uri === uri ? {} : null;
        if (!params) continue;
        const missing = missingScopes(ctx.principal, binding.contract.scopes);
        if (missing.length > 0) {
          throw new AppError('FORBIDDEN', `Reading ${binding.contract.name} needs the scope(s) ${missing.join(', ')}.`, { details: { missing } });
        }
        const flat = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));
        return binding.read(uri, flat, ctx);
      }
      throw new AppError('NOT_FOUND', `No resource matches ${uri}. List resources and resource templates to see what this server serves.`, {
        details: { uri },
      });
    });
  }

  /**
   * The level the request asked log messages of: its own `_meta` level, else (2025-11-25 and earlier only) the one
   * its caller set with `logging/setLevel`, else none (no messages: a 2026-07-28 request without its own level gets
   * none, see client-log.ts). A `_meta` level that is not a level is -32602.
   */
  #logLevelOf(extra: HandlerExtra, principal: Principal, protocolVersion: string): LogLevel | undefined {
    const asked = extra._meta?.[META_LOG_LEVEL];
    if (asked === undefined) return isModernRevision(protocolVersion) ? undefined : this.#logLevels.get(principal.id);
    if (!isLogLevel(asked)) throw new ProtocolError(-32602, `Invalid params: _meta["${META_LOG_LEVEL}"] must be one of debug, info, notice, warning, error, critical, alert, emergency`);
    return asked;
  }

  /**
   * completion/complete: the prompt (by name) or resource template (by its exact template) must be one the caller
   * may use (its scopes, FORBIDDEN otherwise, as prompts/get and resources/read say); the completer answers only
   * what the caller may read. An argument without a completer completes to nothing.
   */
  #complete(params: CompleteParams, envelope: CallEnvelope): Promise<CompletionResult> {
    return this.#nonTool('completion/complete', envelope, async (ctx) => {
      const { ref, argument } = params;
      const binding =
        ref.type === 'ref/prompt'
          ? this.#prompts.get(ref.name ?? '')
          : this.#templates.find(({ binding: candidate, template }) => template !== undefined && candidate.contract.uri === ref.uri)?.binding;
      if (binding === undefined) {
        const what = ref.type === 'ref/prompt' ? `prompt ${storableText(ref.name ?? '', 64)}` : `resource template ${storableText(ref.uri ?? '', 200)}`;
        throw new AppError('VALIDATION_FAILED', `Unknown ${what}. List prompts and resource templates to see what can be completed.`);
      }
      const missing = missingScopes(ctx.principal, binding.contract.scopes);
      if (missing.length > 0) throw new AppError('FORBIDDEN', `Completing ${ref.name ?? ref.uri} needs the scope(s) ${missing.join(', ')}.`, { details: { missing } });
      return completeArgument(binding.complete?.[argument.name], argument.value, ctx, params.context?.arguments ?? {});
    });
  }

  #getPrompt(name: string, args: Record<string, string>, envelope: CallEnvelope) {
    return this.#nonTool('prompts/get', envelope, async (ctx) => {
      const binding = this.#prompts.get(name);
      if (!binding) throw new AppError('VALIDATION_FAILED', `Unknown prompt: ${name}. List prompts to see what this server offers.`);
      const missing = missingScopes(ctx.principal, binding.contract.scopes);
      if (missing.length > 0) throw new AppError('FORBIDDEN', `Prompt ${name} needs the scope(s) ${missing.join(', ')}.`, { details: { missing } });
      const parsed = binding.contract.args.safeParse(args);
      if (!parsed.success) {
        throw new AppError('VALIDATION_FAILED', `Invalid prompt arguments: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      }
      return binding.get(parsed.data as Record<string, unknown>, ctx);
    });
  }
}

/** The params of a completion/complete request, as the SDK's schema checked them. */
interface CompleteParams {
  ref: { type: 'ref/prompt' | 'ref/resource'; name?: string; uri?: string };
  argument: { name: string; value: string };
  context?: { arguments?: Record<string, string> };
}

/**
 * Told to every client at initialize, once instead of in every tool: the error envelope (each output schema only
 * says a failed call's structuredContent has `error`) and where the meaning of a result's fields is.
 */
export const CATALOG_INSTRUCTIONS =
  'A failed call is a result with isError true and structuredContent.error = { code, message, retryable, details?, request_id? }. ' +
  'What a tool does in full and what each field of its result means: the resource docs://tools/<tool name>.';

/**
 * The resource `docs://tools/<name>` of every tool: its description, its guide (what a model may need beyond the
 * description) and what each field of its result means, which the advertised output schema leaves out
 * (docs/architecture.md §3). Readable with the tool's own scopes.
 */
function toolGuideBinding<DB>(contract: ToolContract): ResourceBinding<DB>[] {
  const uri = toolGuideUri(contract.name);
  const fields = resultFields(contract.output);
  const text = [
    `# ${contract.name}: ${contract.title}\n\n${contract.description}\n`,
    ...(contract.guide === undefined ? [] : [`${contract.guide}\n`]),
    ...(fields.length === 0 ? [] : [`## Result fields\n\n${fields.join('\n')}\n`]),
  ].join('\n');
  return [
    {
      contract: { uri, name: `${contract.name}_guide`, title: `${contract.title}: guide`, description: `How ${contract.name} works and what its result fields mean.`, mimeType: 'text/markdown', scopes: contract.scopes },
      read: async () => [{ uri, mimeType: 'text/markdown', text }],
    },
  ];
}

/** The MCP revision of a request: its `_meta` claim, else its MCP-Protocol-Version header, else 2025-11-25. */
function revisionOf(extra: HandlerExtra) {
  return taskRevisionOf(requestRevision(extra._meta, extra.requestInfo?.headers?.['mcp-protocol-version']));
}

function parentTrace(traceparent: string | undefined): TraceContext | undefined {
  const parsed = parseTraceparent(traceparent);
  if (!parsed) return undefined;
  return { traceId: parsed.traceId, spanId: parsed.parentSpanId, sampled: parsed.sampled, traceparent: traceparent as string };
}

/** Creates the MCP surface of a domain from its bindings. */
export function createMcpHost<DB>(config: McpHostConfig<DB>): McpHost<DB> {
  return new McpHost(config);
}
