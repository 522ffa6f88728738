import type { z } from 'zod';
import { missingScopes } from '@mcpfed/auth';
import type { Principal } from '@mcpfed/auth';
import { AppError } from '@mcpfed/errors';
import type { CallEnvelope } from './call-envelope.ts';
import type { RequestRunner } from './request-runner.ts';
import { catalogMeta } from './tool-definition.ts';
import type { PromptBinding } from './types.ts';

/** The prompts of a server by name and the dispatch of prompts/list and prompts/get, limited by the caller's scopes. */
export class PromptCatalog<DB> {
  readonly #prompts = new Map<string, PromptBinding<DB>>();
  readonly #runner: RequestRunner<DB>;
  readonly #deadlineMs: number;

  /** @param deadlineMs the deadline advertised in each prompt's `_meta`, in milliseconds. */
  constructor(bindings: readonly PromptBinding<DB>[], runner: RequestRunner<DB>, deadlineMs: number) {
    for (const prompt of bindings) this.#prompts.set(prompt.contract.name, prompt);
    this.#runner = runner;
    this.#deadlineMs = deadlineMs;
  }

  /** The prompt of a name, if any. */
  binding(name: string): PromptBinding<DB> | undefined {
    return this.#prompts.get(name);
  }

  /** prompts/list: the prompts the principal may get, with their arguments. */
  list(principal: Principal): Array<Record<string, unknown>> {
    return [...this.#prompts.values()]
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
        _meta: catalogMeta(contract.scopes, this.#deadlineMs),
      }));
  }

  /**
   * prompts/get: the prompt's messages for the arguments.
   *
   * @throws AppError VALIDATION_FAILED for an unknown prompt or invalid arguments, FORBIDDEN without its scopes.
   */
  get(name: string, args: Record<string, string>, envelope: CallEnvelope) {
    return this.#runner.run('prompts/get', envelope, async (ctx) => {
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
