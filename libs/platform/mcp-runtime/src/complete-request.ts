import { missingScopes } from '@mcpfed/auth';
import { AppError } from '@mcpfed/errors';
import type { CallEnvelope } from './call-envelope.ts';
import { completeArgument } from './complete-argument.ts';
import type { CompletionResult } from './complete-argument.ts';
import type { PromptCatalog } from './prompt-catalog.ts';
import type { RequestRunner } from './request-runner.ts';
import type { ResourceCatalog } from './resource-catalog.ts';
import { storableText } from './storable-text.ts';

/** The params of a completion/complete request, as the SDK's schema checked them. */
export interface CompleteParams {
  ref: { type: 'ref/prompt' | 'ref/resource'; name?: string; uri?: string };
  argument: { name: string; value: string };
  context?: { arguments?: Record<string, string> };
}

/**
 * completion/complete: the prompt (by name) or resource template (by its exact template) must be one the caller
 * may use (its scopes, FORBIDDEN otherwise, as prompts/get and resources/read say); the completer answers only
 * what the caller may read. An argument without a completer completes to nothing.
 */
export function completeRequest<DB>(
  params: CompleteParams,
  envelope: CallEnvelope,
  catalogs: { prompts: PromptCatalog<DB>; resources: ResourceCatalog<DB>; runner: RequestRunner<DB> },
): Promise<CompletionResult> {
  return catalogs.runner.run('completion/complete', envelope, async (ctx) => {
    const { ref, argument } = params;
    const binding = ref.type === 'ref/prompt' ? catalogs.prompts.binding(ref.name ?? '') : catalogs.resources.template(ref.uri);
    if (binding === undefined) {
      const what = ref.type === 'ref/prompt' ? `prompt ${storableText(ref.name ?? '', 64)}` : `resource template ${storableText(ref.uri ?? '', 200)}`;
      throw new AppError('VALIDATION_FAILED', `Unknown ${what}. List prompts and resource templates to see what can be completed.`);
    }
    const missing = missingScopes(ctx.principal, binding.contract.scopes);
    if (missing.length > 0)
      throw new AppError('FORBIDDEN', `Completing ${ref.name ?? ref.uri} needs the scope(s) ${missing.join(', ')}.`, { details: { missing } });
    return completeArgument(binding.complete?.[argument.name], argument.value, ctx, params.context?.arguments ?? {});
  });
}
