import type { DomainContract } from '@mcpfed/contract-common';
import type { ContractSnapshot } from './contract-snapshot.ts';

/**
 * Names clients may still call that the current contracts no longer answer: every tool name of the committed
 * snapshots, and every alias there whose date has not passed, that is neither a tool nor an alias now. A rename
 * must leave the old name as an alias (`aliases: [{ name, until }]`) for a deprecation period; only an alias whose
 * `until` is before `today` (YYYY-MM-DD) may go.
 */
export function droppedToolNames(committed: readonly ContractSnapshot[], current: readonly DomainContract[], today: string): string[] {
  const served = new Set(current.flatMap((contract) => contract.tools.flatMap((tool) => [tool.name, ...(tool.aliases ?? []).map((alias) => alias.name)])));
  const promised = committed.flatMap((snapshot) =>
    snapshot.tools.flatMap((tool) => [tool.name, ...(tool.aliases ?? []).filter((alias) => alias.until >= today).map((alias) => alias.name)]),
  );
  return [...new Set(promised.filter((name) => !served.has(name)))].sort();
}
