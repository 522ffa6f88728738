import { toolGuideUri } from '@mcpfed/contract-common';
import type { ToolContract } from '@mcpfed/contract-common';
import { resultFields } from './result-fields.ts';
import type { ResourceBinding } from './types.ts';

/**
 * The resource `docs://tools/<name>` of every tool: its description, its guide (what a model may need beyond the
 * description) and what each field of its result means, which the advertised output schema leaves out
 * (docs/architecture.md §3). Readable with the tool's own scopes.
 */
export function toolGuideBinding<DB>(contract: ToolContract): ResourceBinding<DB>[] {
  const uri = toolGuideUri(contract.name);
  const fields = resultFields(contract.output);
  const text = [
    `# ${contract.name}: ${contract.title}\n\n${contract.description}\n`,
    ...(contract.guide === undefined ? [] : [`${contract.guide}\n`]),
    ...(fields.length === 0 ? [] : [`## Result fields\n\n${fields.join('\n')}\n`]),
  ].join('\n');
  return [
    {
      contract: {
        uri,
        name: `${contract.name}_guide`,
        title: `${contract.title}: guide`,
        description: `How ${contract.name} works and what its result fields mean.`,
        mimeType: 'text/markdown',
        scopes: contract.scopes,
      },
      read: async () => [{ uri, mimeType: 'text/markdown', text }],
    },
  ];
}
