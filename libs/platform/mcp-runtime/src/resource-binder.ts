import type { ResourceContract } from '@mcpfed/contract-common';
import type { ResourceBinding } from './types.ts';

/** Returns a function that binds resource contracts to readers for a database of type `DB`. */
export function resourceBinder<DB>() {
  return function bindResource(
    contract: ResourceContract,
    read: ResourceBinding<DB>['read'],
    options: { list?: ResourceBinding<DB>['list'] } = {},
  ): ResourceBinding<DB> {
    return Object.freeze({ contract, read, ...(options.list ? { list: options.list } : {}) });
  };
}
