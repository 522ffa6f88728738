import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Principal } from '@mcpfed/auth';
import type { PromptContract, ResourceContract, ToolContract } from '@mcpfed/contract-common';
import type { Logger, TraceContext } from '@mcpfed/telemetry';
import type { ClientLog } from './client-log.ts';
import type { TaskState, UrlElicitation } from './task-wire.ts';

/**
 * Per-request data, passed as the last argument to every service and store call (docs/conventions.md: one request
 * context). Handlers receive it as part of their {@link ToolContext}; background jobs build one with
 * `jobContext` for the work they do for nobody in particular.
 */
export interface RequestContext {
  readonly requestId: string;
  readonly principal: Principal;
  /** Aborted at the call's deadline, on client cancellation and on shutdown; pass it on to I/O. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly trace: TraceContext;
  /** Whether the caller holds a scope (e.g. `customer:pii` for unmasked personal data). */
  hasScope(scope: string): boolean;
  /**
   * MCP revision of this request: `2026-07-28` (stateless; a server-to-client request becomes an `input_required`
   * result) or the one negotiated at initialize (`2025-11-25` and earlier). Absent means 2025-11-25. Branch with
   * `isModernRevision(ctx.protocolVersion)`.
   */
  readonly protocolVersion?: string;
  /** Reports progress to a client that asked for it (`_meta.progressToken`); a no-op otherwise. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /**
   * Sends a log message (`notifications/message`) on the request's stream when the client asked for its level
   * (docs/architecture.md §4, logging); a no-op otherwise. Fixed wording plus ids and counts: never personal data.
   */
  readonly clientLog: ClientLog;
}

/** The request context of a tool, resource or prompt handler: the {@link RequestContext} plus its database handle. */
export interface ToolContext<DB> extends RequestContext {
  /**
   * Write tools (readOnlyHint false, transaction 'auto'): the call's transaction. The runtime stores the
   * idempotency record and the audit row in it and rolls it back when the input has `dry_run: true`.
   * Read tools, resources and prompts: the pool.
   */
  readonly db: Kysely<DB>;
}

/** A `resource_link` content block pointing at an entity the call touched. */
export interface ResourceLinkSpec {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

/** An embedded resource content block (e.g. a data export). */
export interface EmbeddedResourceBlock {
  type: 'resource';
  resource: { uri: string; mimeType: string; text: string };
}

/** Options of a tool binding. */
export interface ToolBindingOptions<C extends ToolContract, DB = unknown> {
  /** Links to the entities touched, added as `resource_link` blocks. */
  links?: (output: z.output<C['output']>, input: z.output<C['input']>) => ResourceLinkSpec[];
  /**
   * `auto` (default for write tools): the runtime runs the handler in a transaction with the idempotency
   * record and the audit row. `none`: the handler manages its own transactions (use it when it calls
   * another system, which must happen outside a database transaction) and its own idempotency.
   */
  transaction?: 'auto' | 'none';
  /** Extra content blocks after the JSON text block. */
  content?: (output: z.output<C['output']>) => EmbeddedResourceBlock[];
  /** How the tool runs as an MCP Task (its contract says `taskSupport`): the domain's own rows are the task's state. */
  task?: ToolTaskBinding<C, DB>;
  /**
   * A result that waits for a person (an approval page): the URL-mode elicitation a client that declared it is sent
   * instead of the result, and a task-augmented call gets instead of a task. Undefined for every other result.
   */
  elicitation?: (output: z.output<C['output']>) => UrlElicitation | undefined;
}

/**
 * A tool's task support. The task's id is `<tool>:<handle>`; every method gets the caller's context and answers
 * undefined (not found) for a handle the caller did not create, so another principal cannot tell it exists.
 */
export interface ToolTaskBinding<C extends ToolContract, DB = unknown> {
  /** The input of a task-augmented call (e.g. `wait_ms: 0`: the call only starts the work). Default: unchanged. */
  input?: (input: z.output<C['input']>) => z.output<C['input']>;
  /** The handle of the work a call's output started; undefined when it started none (the output is final). */
  handleOf: (output: z.output<C['output']>) => string | undefined;
  /** Where the task stands, from the domain's rows; undefined when the caller did not create it. */
  get: (handle: string, ctx: ToolContext<DB>) => Promise<TaskState | undefined>;
  /** The tool's output for the task as it stands (asked once the task is terminal). */
  result: (handle: string, ctx: ToolContext<DB>) => Promise<z.input<C['output']>>;
  /** Cancels the task or throws an AppError saying why it cannot (e.g. PRECONDITION_FAILED once money moved). */
  cancel: (handle: string, ctx: ToolContext<DB>) => Promise<void>;
  /** Suggested polling interval in milliseconds. Default 1000. */
  pollIntervalMs?: number;
}

/** A contract entry bound to its handler. */
export interface ToolBinding<DB> {
  readonly contract: ToolContract;
  readonly handler: (input: Record<string, unknown>, ctx: ToolContext<DB>) => Promise<unknown>;
  readonly options: ToolBindingOptions<ToolContract, DB>;
}

/** One content item of a resource read. */
export interface ResourceContent {
  uri: string;
  mimeType: string;
  text: string;
}

/**
 * Completes one prompt argument or template variable: at most `limit` values starting with `prefix` that the
 * caller (`ctx.principal`) may read, in a stable order, from an index (keyset/prefix search, never a full scan).
 * `context` holds the arguments the client already chose. An impossible prefix answers none, without a query.
 */
export type Completer<DB> = (prefix: string, limit: number, ctx: ToolContext<DB>, context: Readonly<Record<string, string>>) => Promise<readonly string[]>;

/** A resource contract bound to its reader. */
export interface ResourceBinding<DB> {
  readonly contract: ResourceContract;
  readonly read: (uri: string, params: Record<string, string>, ctx: ToolContext<DB>) => Promise<ResourceContent[]>;
  readonly list?: (ctx: ToolContext<DB>) => Promise<Array<{ uri: string; name: string; title?: string; mimeType?: string }>>;
  /** One completer per variable the contract `completes`. */
  readonly complete?: Readonly<Record<string, Completer<DB>>>;
}

/** A message of a prompt. */
export interface PromptMessage {
  role: 'user' | 'assistant';
  content: { type: 'text'; text: string };
}

/** A prompt contract bound to its builder. */
export interface PromptBinding<DB> {
  readonly contract: PromptContract;
  readonly get: (args: Record<string, unknown>, ctx: ToolContext<DB>) => Promise<{ description?: string; messages: PromptMessage[] }>;
  /** One completer per argument the contract `completes`. */
  readonly complete?: Readonly<Record<string, Completer<DB>>>;
}
