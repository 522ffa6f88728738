import type { z } from 'zod';
import type { PromptContract } from '@mcpfed/contract-common';
import { completersOf } from './completers-of.ts';
import type { Completer, PromptBinding, PromptMessage, ToolContext } from './types.ts';

/** Returns a function that binds prompt contracts to builders (and completers) for a database of type `DB`. */
export function promptBinder<DB>() {
  return function bindPrompt<A extends z.ZodObject>(
    contract: PromptContract<A>,
    get: (args: z.output<A>, ctx: ToolContext<DB>) => Promise<{ description?: string; messages: PromptMessage[] }>,
    options: { complete?: Readonly<Record<string, Completer<DB>>> } = {},
  ): PromptBinding<DB> {
    const complete = completersOf(`prompt ${contract.name}`, contract.completes, options.complete);
    return Object.freeze({ contract: contract as PromptContract, get: get as PromptBinding<DB>['get'], ...(complete ? { complete } : {}) });
  };
}
