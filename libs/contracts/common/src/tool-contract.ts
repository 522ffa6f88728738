import type { z } from 'zod';
import type { Scope } from './scopes.ts';

/** MCP tool annotations; every tool sets all four (docs/architecture.md §4). */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/**
 * How a tool treats `idempotency_key`:
 * - `required`: creates an order or moves money or stock; the input schema must declare `idempotency_key`.
 * - `optional`: other creates; honoured when given.
 * - `none`: reads and naturally idempotent writes.
 */
export type IdempotencyMode = 'required' | 'optional' | 'none';

/** A former name of a tool, served until `until` (an ISO date, `YYYY-MM-DD`, inclusive). */
export interface ToolAlias {
  readonly name: string;
  readonly until: string;
}

/** The declaration of one tool, as data. The server registers it; the federation client calls it. */
export interface ToolContract<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  /** `<domain>_<verb>[_<noun>]`, snake_case, at most 48 characters, unique across the federation. */
  readonly name: string;
  /** Short human title shown by clients. */
  readonly title: string;
  /**
   * Written for a model: what it does, when to use it, what it returns, units, what to do on failure; at most
   * {@link MAX_TOOL_DESCRIPTION_LENGTH} characters (some model APIs cut there).
   */
  readonly description: string;
  /**
   * What a model may need beyond the description (how a search ranks, every edge of a workflow), served in the
   * resource `docs://tools/<name>` with the tool's scopes, after the description and before the result fields.
   */
  readonly guide?: string;
  /** Strict input schema (unknown fields are refused). */
  readonly input: I;
  /** Output schema of a successful result's `structuredContent`. */
  readonly output: O;
  /** Scopes a caller must hold, all of them. */
  readonly scopes: readonly Scope[];
  /**
   * Former names of a renamed tool, each answered until its date and never listed (GitHub's MCP server keeps
   * renamed tools the same way), so a client or prompt that learned the old name keeps working through a
   * deprecation period. The contract check refuses a rename that does not leave one.
   */
  readonly aliases?: readonly ToolAlias[];
  readonly annotations: ToolAnnotations;
  readonly idempotency: IdempotencyMode;
  /** Deadline of one call in milliseconds. Default 5000. */
  readonly deadlineMs?: number;
  /**
   * Whether a client may run the tool as an MCP Task (listed as `execution.taskSupport`): `optional` lets a client
   * that asks get a task handle at once and poll it (tasks/get, tasks/result, tasks/cancel); others call it as
   * usual. The server binding supplies the task's state from the domain's own rows. Default: no task support.
   */
  readonly taskSupport?: 'optional';
  /**
   * Input field names whose values are replaced by `"[redacted]"` in audit records and logs, in addition
   * to the runtime's default personal-data names (email, phone, names, address lines, notes, secrets).
   */
  readonly redact?: readonly string[];
}

/** Maximum length of a tool name: clients prefix names (`mcp__mcpfed__`) and many cap them at 64. */
export const MAX_TOOL_NAME_LENGTH = 48;

/** Maximum length of a listed tool description: some model APIs cut descriptions at 1,024 characters. */
export const MAX_TOOL_DESCRIPTION_LENGTH = 1024;

/** The URI of a tool's guide (`guide` of its contract). */
export function toolGuideUri(name: string): string {
  return `docs://tools/${name}`;
}

/**
 * The description a tool is listed with: its own. Every tool has its guide resource ({@link toolGuideUri}: the
 * description, the guide and the meaning of each result field), which the initialize instructions name once, so
 * the listing, paid on every request, does not point to it tool by tool.
 */
export function listedDescription(tool: Pick<ToolContract, 'name' | 'description' | 'guide'>): string {
  return tool.description;
}

const TOOL_NAME = /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/;

/**
 * Declares a tool. Checks the rules a contract must follow at module load, so a bad contract fails every
 * test that imports it rather than surfacing at run time.
 */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(tool: ToolContract<I, O>): ToolContract<I, O> {
  if (!TOOL_NAME.test(tool.name) || tool.name.length > MAX_TOOL_NAME_LENGTH) {
    throw new Error(`tool name "${tool.name}" must be snake_case <domain>_<verb>[_<noun>] of at most ${MAX_TOOL_NAME_LENGTH} characters`);
  }
  if (tool.idempotency === 'required' && !('idempotency_key' in tool.input.shape)) {
    throw new Error(`tool "${tool.name}" requires an idempotency key but its input has no idempotency_key field`);
  }
  for (const alias of tool.aliases ?? []) {
    if (!TOOL_NAME.test(alias.name) || alias.name.length > MAX_TOOL_NAME_LENGTH || alias.name === tool.name) {
      throw new Error(`tool "${tool.name}": alias "${alias.name}" must be another snake_case tool name`);
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(alias.until) || Number.isNaN(Date.parse(alias.until))) {
      throw new Error(`tool "${tool.name}": alias "${alias.name}" needs until as an ISO date (YYYY-MM-DD)`);
    }
  }
  if (tool.description.trim().length < 40) {
    throw new Error(`tool "${tool.name}" needs a description written for a model`);
  }
  return Object.freeze({ ...tool });
}

/** A resource (or resource template) a domain serves. */
export interface ResourceContract {
  /** A fixed URI (`schema://customer`) or an RFC 6570 template (`customer://{id}`). */
  readonly uri: string;
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly mimeType: string;
  readonly scopes: readonly Scope[];
  /**
   * Template variables a client can complete (`completion/complete` with `ref/resource`), e.g. `['id']`: the
   * binding supplies one completer each, answering only what the caller may read. Default none.
   */
  readonly completes?: readonly string[];
}

/** Declares a resource. */
export function defineResource(resource: ResourceContract): ResourceContract {
  return Object.freeze({ ...resource });
}

/** A prompt a domain serves; arguments are strings on the wire (MCP prompts). */
export interface PromptContract<A extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly args: A;
  readonly scopes: readonly Scope[];
  /**
   * Arguments a client can complete (`completion/complete` with `ref/prompt`), e.g. `['customer_id']`: the binding
   * supplies one completer each, answering only what the caller may read. Default none.
   */
  readonly completes?: readonly (keyof z.output<A> & string)[];
}

/** Declares a prompt. */
export function definePrompt<A extends z.ZodObject>(prompt: PromptContract<A>): PromptContract<A> {
  return Object.freeze({ ...prompt });
}

/** Everything one domain offers. */
export interface DomainContract {
  readonly domain: string;
  readonly tools: readonly ToolContract[];
  readonly resources: readonly ResourceContract[];
  readonly prompts: readonly PromptContract[];
}
