import type { z } from 'zod';

/**
 * What a tool's handler receives: the contract's input after parsing (defaults filled in, transforms applied).
 *
 * @example `async function place(input: ContractInput<typeof orderPlace>, ctx: RequestContext)`
 */
export type ContractInput<C extends { readonly input: z.ZodType }> = z.output<C['input']>;

/**
 * What a tool's handler returns: the contract's output before the runtime parses it against the output schema
 * (so `Date`s and optional defaults are accepted as the schema accepts them).
 */
export type ContractOutput<C extends { readonly output: z.ZodType }> = z.input<C['output']>;
