import type { z } from 'zod';
import type { PromptContract } from '@mcpfed/contract-common';
import type { PromptBinding, PromptMessage, ToolContext } from './types.ts';

/** Returns a function that binds prompt contracts to builders for a database of type `DB`. */
export function promptBinder<DB>() {
  return function bindPrompt<A extends z.ZodObject>(
    contract: PromptContract<A>,
    get: (args: z.output<A>, ctx: ToolContext<DB>) => Promise<{ description?: string; messages: PromptMessage[] }>,
  ): PromptBinding<DB> {
    return Object.freeze({ contract: contract as PromptContract, get: get as PromptBinding<DB>['get'] });
  };
}
