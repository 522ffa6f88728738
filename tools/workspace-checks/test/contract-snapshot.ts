import { z } from 'zod';
import type { DomainContract } from '@mcpfed/contract-common';

/** The committed, reviewable wire surface of one domain contract. */
export interface ContractSnapshot {
  domain: string;
  tools: Array<{
    name: string;
    scopes: string[];
    annotations: Record<string, boolean>;
    idempotency: string;
    /** Former names still answered (only present for a renamed tool). */
    aliases?: Array<{ name: string; until: string }>;
    /** Whether a client may run it as an MCP Task (only present for a tool that supports it). */
    taskSupport?: string;
    input: unknown;
    output: unknown;
  }>;
  resources: Array<{ uri: string; name: string; mimeType: string; scopes: string[] }>;
  prompts: Array<{ name: string; scopes: string[]; args: unknown }>;
}

/**
 * JSON Schema (zod 4 `z.toJSONSchema`) of every tool input (as callers send it) and output (as servers return
 * it), plus scopes, annotations, resource URIs and prompt arguments — everything a client depends on. Tool
 * descriptions are left out: rewording guidance for the model is not a breaking change; field descriptions are
 * part of the schemas.
 */
export function contractSnapshot(contract: DomainContract): ContractSnapshot {
  return {
    domain: contract.domain,
    tools: contract.tools.map((tool) => ({
      name: tool.name,
      scopes: [...tool.scopes],
      annotations: { ...tool.annotations },
      idempotency: tool.idempotency,
      ...(tool.aliases?.length ? { aliases: tool.aliases.map((alias) => ({ name: alias.name, until: alias.until })) } : {}),
      ...(tool.taskSupport === undefined ? {} : { taskSupport: tool.taskSupport }),
      input: z.toJSONSchema(tool.input, { io: 'input', unrepresentable: 'any' }),
      output: z.toJSONSchema(tool.output, { io: 'output', unrepresentable: 'any' }),
    })),
    resources: contract.resources.map((resource) => ({
      uri: resource.uri,
      name: resource.name,
      mimeType: resource.mimeType,
      scopes: [...resource.scopes],
    })),
    prompts: contract.prompts.map((prompt) => ({
      name: prompt.name,
      scopes: [...prompt.scopes],
      args: z.toJSONSchema(prompt.args, { io: 'input', unrepresentable: 'any' }),
    })),
  };
}
