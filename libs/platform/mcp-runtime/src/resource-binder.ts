import type { ResourceContract } from '@mcpfed/contract-common';
import { completersOf } from './completers-of.ts';
import type { Completer, ResourceBinding } from './types.ts';

/** Returns a function that binds resource contracts to readers (and completers) for a database of type `DB`. */
export function resourceBinder<DB>() {
  return function bindResource(
    contract: ResourceContract,
    read: ResourceBinding<DB>['read'],
    options: { list?: ResourceBinding<DB>['list']; complete?: Readonly<Record<string, Completer<DB>>> } = {},
  ): ResourceBinding<DB> {
    const complete = completersOf(`resource ${contract.uri}`, contract.completes, options.complete);
    return Object.freeze({ contract, read, ...(options.list ? { list: options.list } : {}), ...(complete ? { complete } : {}) });
  };
}
