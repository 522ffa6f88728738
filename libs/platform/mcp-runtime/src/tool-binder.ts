import type { z } from 'zod';
import type { ToolContract } from '@mcpfed/contract-common';
import type { ToolBinding, ToolBindingOptions, ToolContext } from './types.ts';

/**
 * Returns a function that binds contract entries to handlers for a database of type `DB`:
 * `const bind = toolBinder<CustomerDb>(); bind(customerGet, (input, ctx) => service.get(input, ctx))`.
 * The handler receives input already validated by the contract and returns the contract's output.
 */
export function toolBinder<DB>() {
  return function bindTool<C extends ToolContract>(
    contract: C,
    handler: (input: z.output<C['input']>, ctx: ToolContext<DB>) => Promise<z.input<C['output']>>,
    options: ToolBindingOptions<C, DB> = {},
  ): ToolBinding<DB> {
    return Object.freeze({
      contract,
      handler: handler as ToolBinding<DB>['handler'],
      options: options as unknown as ToolBindingOptions<ToolContract, DB>,
    });
  };
}
