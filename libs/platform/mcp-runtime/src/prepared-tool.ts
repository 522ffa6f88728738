import type { ToolContract } from '@mcpfed/contract-common';
import { DEFAULT_REDACTED_FIELDS } from './redact-arguments.ts';
import type { ToolBinding } from './types.ts';

/** A bound tool with what every call of it needs worked out once, at start-up. */
export interface PreparedTool<DB> {
  binding: ToolBinding<DB>;
  contract: ToolContract;
  write: boolean;
  inTransaction: boolean;
  /** A write that manages its own transactions: its audit record is written ahead (`started`), then completed. */
  writeAhead: boolean;
  hasReplayed: boolean;
  hasDryRun: boolean;
  redacted: ReadonlySet<string>;
  deadlineMs: number;
}

/**
 * The prepared tools by name, former names (aliases) included: a renamed tool answers them too (never listed),
 * with the same binding, checks and audit.
 *
 * @throws Error when a name or alias is bound twice.
 */
export function prepareTools<DB>(tools: readonly ToolBinding<DB>[], defaultDeadlineMs: number): Map<string, PreparedTool<DB>> {
  const prepared = new Map<string, PreparedTool<DB>>();
  for (const binding of tools) {
    const contract = binding.contract;
    if (prepared.has(contract.name)) throw new Error(`tool ${contract.name} is bound twice`);
    const write = !contract.annotations.readOnlyHint;
    prepared.set(contract.name, {
      binding,
      contract,
      write,
      inTransaction: write && (binding.options.transaction ?? 'auto') === 'auto',
      writeAhead: write && binding.options.transaction === 'none',
      hasReplayed: 'replayed' in contract.output.shape,
      hasDryRun: 'dry_run' in contract.input.shape,
      redacted: new Set([...DEFAULT_REDACTED_FIELDS, ...(contract.redact ?? [])]),
      deadlineMs: contract.deadlineMs ?? defaultDeadlineMs,
    });
  }
  for (const binding of tools) {
    for (const alias of binding.contract.aliases ?? []) {
      if (prepared.has(alias.name)) throw new Error(`alias ${alias.name} of ${binding.contract.name} is already a tool name`);
      prepared.set(alias.name, prepared.get(binding.contract.name) as PreparedTool<DB>);
    }
  }
  return prepared;
}
