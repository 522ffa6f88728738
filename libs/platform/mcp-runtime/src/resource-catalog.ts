import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import { missingScopes } from '@mcpfed/auth';
import type { Principal } from '@mcpfed/auth';
import { AppError } from '@mcpfed/errors';
import type { CallEnvelope } from './call-envelope.ts';
import type { RequestRunner } from './request-runner.ts';
import { catalogMeta } from './tool-definition.ts';
import type { ResourceBinding } from './types.ts';

/**
 * The resources of a server (its own and the tools' guides) and the dispatch of resources/list, resources/read and
 * resources/templates/list: each URI template parsed once, every answer limited to what the caller's scopes reach.
 */
export class ResourceCatalog<DB> {
  readonly #templates: ReadonlyArray<{ binding: ResourceBinding<DB>; template: UriTemplate | undefined }>;
  readonly #runner: RequestRunner<DB>;
  readonly #deadlineMs: number;

  /** @param deadlineMs the deadline advertised in each entry's `_meta`, in milliseconds. */
  constructor(bindings: readonly ResourceBinding<DB>[], runner: RequestRunner<DB>, deadlineMs: number) {
    this.#templates = bindings.map((binding) => ({
      binding,
      template: UriTemplate.isTemplate(binding.contract.uri) ? new UriTemplate(binding.contract.uri) : undefined,
    }));
    this.#runner = runner;
    this.#deadlineMs = deadlineMs;
  }

  /** resources/list: the fixed resources and what each template's `list` offers, that the caller may read. */
  list(envelope: CallEnvelope): Promise<Array<Record<string, unknown>>> {
    return this.#runner.run('resources/list', envelope, async (ctx) => {
      const out: Array<Record<string, unknown>> = [];
      for (const { binding, template } of this.#templates) {
        if (missingScopes(ctx.principal, binding.contract.scopes).length > 0) continue;
        const { contract } = binding;
        const _meta = catalogMeta(contract.scopes, this.#deadlineMs);
        if (!template)
          out.push({ uri: contract.uri, name: contract.name, title: contract.title, description: contract.description, mimeType: contract.mimeType, _meta });
        else if (binding.list) out.push(...(await binding.list(ctx)).map((resource) => ({ ...resource, _meta })));
      }
      return out;
    });
  }

  /** resources/templates/list: the templates the principal may read. */
  templates(principal: Principal): Array<Record<string, unknown>> {
    return this.#templates
      .filter((t) => t.template && missingScopes(principal, t.binding.contract.scopes).length === 0)
      .map(({ binding: { contract } }) => ({
        uriTemplate: contract.uri,
        name: contract.name,
        title: contract.title,
        description: contract.description,
        mimeType: contract.mimeType,
        _meta: catalogMeta(contract.scopes, this.#deadlineMs),
      }));
  }

  /** The binding of a resource template, by its exact template (what completion/complete names). */
  template(uri: string | undefined): ResourceBinding<DB> | undefined {
    return this.#templates.find(({ binding, template }) => template !== undefined && binding.contract.uri === uri)?.binding;
  }

  /**
   * resources/read: the first resource whose URI or template matches, if the caller has its scopes.
   *
   * @throws AppError FORBIDDEN without its scopes, NOT_FOUND when nothing matches (as JSON-RPC errors).
   */
  read(uri: string, envelope: CallEnvelope) {
    return this.#runner.run('resources/read', envelope, async (ctx) => {
      for (const { binding, template } of this.#templates) {
        const params = template ? template.match(uri) : binding.contract.uri === uri ? {} : null;
        if (!params) continue;
        const missing = missingScopes(ctx.principal, binding.contract.scopes);
        if (missing.length > 0) {
          throw new AppError('FORBIDDEN', `Reading ${binding.contract.name} needs the scope(s) ${missing.join(', ')}.`, { details: { missing } });
        }
        const flat = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));
        return binding.read(uri, flat, ctx);
      }
      throw new AppError('NOT_FOUND', `No resource matches ${uri}. List resources and resource templates to see what this server serves.`, {
        details: { uri },
      });
    });
  }
}
