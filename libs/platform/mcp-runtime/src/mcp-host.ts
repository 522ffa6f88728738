import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CompleteRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { z } from 'zod';
import { missingScopes } from '@mcpfed/auth';
import type { Principal } from '@mcpfed/auth';
import { randomBytes } from 'node:crypto';
import { AuditLog } from './audit-log.ts';
import type { CallEnvelope } from './call-envelope.ts';
import { callEnvelopeOf } from './call-envelope-of.ts';
import { CancelAudit } from './cancel-audit.ts';
import { CATALOG_INSTRUCTIONS } from './catalog-instructions.ts';
import { completeRequest } from './complete-request.ts';
import type { CompleteParams } from './complete-request.ts';
import type { HandlerExtra } from './handler-extra.ts';
import { startIdempotencyPurge } from './idempotency-purge.ts';
import { DEFAULT_INPUT_LIMITS } from './input-text-check.ts';
import type { InputLimits } from './input-text-check.ts';
import type { LogLevel } from './log-level.ts';
import { LogLevelMemory } from './log-level-memory.ts';
import type { McpHostConfig } from './mcp-host-config.ts';
import { onRequest } from './on-request.ts';
import { PromptCatalog } from './prompt-catalog.ts';
import { ProtocolError } from './protocol-error.ts';
import { RequestRunner } from './request-runner.ts';
import { ResourceCatalog } from './resource-catalog.ts';
import type { ServerFactory } from './server-factory.ts';
import { serverInfoOf } from './server-info.ts';
import type { ServerInfo } from './server-info.ts';
import { storableText } from './storable-text.ts';
import { taskCapabilities } from './task-wire.ts';
import { onTaskRequests } from './task-request-handlers.ts';
import { toolDefinition } from './tool-definition.ts';
import { toolGuideBinding } from './tool-guide-binding.ts';
import { ToolRunner } from './tool-runner.ts';
import { ToolTasks, runsAsTask } from './tool-tasks.ts';
import { toolsCallHandler } from './tools-call-handler.ts';

const DEFAULT_DEADLINE_MS = 5000;
const DEFAULT_IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * A domain's MCP surface built from its contract bindings. `createServer()` gives an SDK `Server` with every
 * handler installed; the HTTP host shares one across requests, stdio and tests make one per connection.
 * Tool schemas are converted to JSON Schema once, here, not per request. The host owns the audit log (its flushes
 * and purges) and the idempotency purge: {@link close} stops both.
 */
export class McpHost<DB> implements ServerFactory {
  readonly name: string;
  readonly version: string;
  readonly #config: McpHostConfig<DB>;
  readonly #runner: ToolRunner<DB>;
  readonly #audit: AuditLog;
  readonly #toolList: Array<{ scopes: readonly string[]; json: Record<string, unknown> }>;
  readonly #requests: RequestRunner<DB>;
  readonly #resources: ResourceCatalog<DB>;
  readonly #prompts: PromptCatalog<DB>;
  readonly #validator = new AjvJsonSchemaValidator();
  readonly #stopPurge: () => void;
  readonly #inputLimits: InputLimits;
  readonly #logLevels = new LogLevelMemory();
  readonly #completes: boolean;
  /** Task support of the tools that declare it; undefined when none does (task metadata is then ignored). */
  readonly #tasks: ToolTasks<DB> | undefined;
  /** Full identity, for initialize and `server/discover`. */
  readonly #serverInfo: ServerInfo;
  /** Short identity for every 2026-07-28 result's `_meta`: no description or icons (data: URIs) on each call. */
  readonly #resultServerInfo: { name: string; version: string; title?: string };

  constructor(config: McpHostConfig<DB>) {
    this.#config = config;
    this.#inputLimits = config.inputLimits ?? DEFAULT_INPUT_LIMITS;
    const auditDigestKey = config.auditDigestKey ?? randomBytes(32);
    const deadlineMs = config.defaultDeadlineMs ?? DEFAULT_DEADLINE_MS;
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
      auditDigestKey,
      inputLimits: this.#inputLimits,
      rateLimiter: config.rateLimiter,
      defaultDeadlineMs: deadlineMs,
    });
    this.#requests = new RequestRunner({ db: config.db, logger: config.logger, tracing: config.tracing, deadlineMs });
    const cancelAudit = new CancelAudit(this.#audit, config.logger, auditDigestKey);
    this.#tasks = config.tools.some((t) => runsAsTask(t))
      ? new ToolTasks({
          runner: this.#runner,
          run: (kind, envelope, fn) => this.#requests.run(kind, envelope, fn),
          defaultDeadlineMs: deadlineMs,
          auditCancel: (taskId, envelope) => cancelAudit.begin(taskId, envelope),
          auditRefusedCancel: (taskId, envelope, outcome) => cancelAudit.refused(taskId, envelope, outcome),
        })
      : undefined;
    const info = serverInfoOf(config);
    this.#resultServerInfo = info.short;
    this.#serverInfo = info.full;
    this.#toolList = config.tools.map(({ contract }) => ({ scopes: contract.scopes, json: toolDefinition(contract, deadlineMs) }));
    const resources = [...(config.resources ?? []), ...config.tools.flatMap(({ contract }) => toolGuideBinding<DB>(contract))];
    this.#resources = new ResourceCatalog(resources, this.#requests, deadlineMs);
    this.#prompts = new PromptCatalog(config.prompts ?? [], this.#requests, deadlineMs);
    this.#completes = [...(config.prompts ?? []), ...(config.resources ?? [])].some((binding) => binding.complete !== undefined);
    this.#stopPurge = startIdempotencyPurge(config.db, config.logger, config.idempotencyRetentionMs ?? DEFAULT_IDEMPOTENCY_RETENTION_MS);
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
    const server = new Server(this.#serverInfo, {
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
    });
    const name = this.#config.name;
    const logLevels = this.#logLevels;
    const envelopeOf = (extra: HandlerExtra): CallEnvelope => callEnvelopeOf(extra, connectionPrincipal, name, logLevels);
    const on = onRequest(server, this.#inputLimits);
    on(ListToolsRequestSchema as unknown as z.ZodObject, async (_request, extra) => ({ tools: this.listTools(envelopeOf(extra).principal) }));
    server.fallbackRequestHandler = toolsCallHandler({
      server,
      connectionPrincipal,
      runner: this.#runner,
      tasks: this.#tasks,
      callTool: (tool, args, envelope) => this.callTool(tool, args, envelope),
      envelopeOf,
    }) as never;
    if (this.#tasks !== undefined) onTaskRequests(on, this.#tasks, envelopeOf);
    on(ListResourcesRequestSchema as unknown as z.ZodObject, async (_request, extra) => ({ resources: await this.#resources.list(envelopeOf(extra)) }));
    // The envelope (principal, log level, trace) is built once per list, not per item.
    on(ListResourceTemplatesRequestSchema as unknown as z.ZodObject, async (_request, extra) => ({
      resourceTemplates: this.#resources.templates(envelopeOf(extra).principal),
    }));
    on(ReadResourceRequestSchema as unknown as z.ZodObject, async (request, extra) => ({
      contents: await this.#resources.read((request as { params: { uri: string } }).params.uri, envelopeOf(extra)),
    }));
    on(ListPromptsRequestSchema as unknown as z.ZodObject, async (_request, extra) => ({ prompts: this.#prompts.list(envelopeOf(extra).principal) }));
    on(GetPromptRequestSchema as unknown as z.ZodObject, async (request, extra) => {
      const params = (request as { params: { name: string; arguments?: Record<string, string> } }).params;
      return this.#prompts.get(params.name, params.arguments ?? {}, envelopeOf(extra));
    });
    // Replaces the SDK's own handler, which keeps one level per transport session: the HTTP host shares one
    // server among all callers and has no sessions, so the level is kept per caller instead (LogLevelMemory).
    on(SetLevelRequestSchema as unknown as z.ZodObject, async (request, extra) => {
      logLevels.set(envelopeOf(extra).principal.id, (request as { params: { level: LogLevel } }).params.level);
      return {};
    });
    if (this.#completes) {
      const catalogs = { prompts: this.#prompts, resources: this.#resources, runner: this.#requests };
      on(CompleteRequestSchema as unknown as z.ZodObject, async (request, extra) =>
        completeRequest((request as { params: CompleteParams }).params, envelopeOf(extra), catalogs),
      );
    }
    return server;
  }

  /** Writes the buffered audit records now (reads and failures are otherwise written every flush interval). */
  flushAudit(): Promise<void> {
    return this.#audit.flush();
  }

  /** Flushes buffered audit records; call on shutdown after in-flight calls finished. */
  async close(): Promise<void> {
    this.#stopPurge();
    await this.#audit.close();
  }
}

/** Creates the MCP surface of a domain from its bindings. */
export function createMcpHost<DB>(config: McpHostConfig<DB>): McpHost<DB> {
  return new McpHost(config);
}
