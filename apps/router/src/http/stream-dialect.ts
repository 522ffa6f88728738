import { REVISION_META } from '@mcpfed/mcp-runtime';
import type { ListKind } from '../catalog/catalog.ts';

/** How a held notification stream speaks: 2025-11-25 GET streams get bare notifications, 2026-07-28 listens tagged ones. */
export interface StreamDialect {
  /** First bytes written. */
  opening: string;
  /** The event for a changed list, or undefined when this stream did not ask for it. */
  event(kind: ListKind): string | undefined;
  /** Last bytes written when the router ends the stream (drain). */
  closing: string;
}

const LIST_CHANGED: Readonly<Record<ListKind, string>> = {
  tools: 'notifications/tools/list_changed',
  prompts: 'notifications/prompts/list_changed',
  resources: 'notifications/resources/list_changed',
};

/** The `subscriptions/listen` filter member of each list (2026-07-28). */
const LISTEN_FILTER: Readonly<Record<ListKind, string>> = { tools: 'toolsListChanged', prompts: 'promptsListChanged', resources: 'resourcesListChanged' };

const sseEvent = (message: unknown): string => `event: message\ndata: ${JSON.stringify(message)}\n\n`;

/** A 2025-11-25 `GET /mcp` stream: every list change, as a bare notification. */
export const LEGACY_STREAM: StreamDialect = {
  opening: ': list_changed notifications of this catalog follow\n\n',
  event: (kind) => sseEvent({ jsonrpc: '2.0', method: LIST_CHANGED[kind] }),
  closing: '',
};

/**
 * A `subscriptions/listen` stream: acknowledges the list kinds asked for (resource subscriptions are not offered: the
 * router does not watch resources), tags every notification with the subscription's id, and ends with the
 * subscription's result when the router shuts down.
 */
export function listenDialect(message: Record<string, unknown>, serverInfo: unknown): StreamDialect {
  const id = message['id'];
  const filter = ((message['params'] as Record<string, unknown> | undefined)?.['notifications'] ?? {}) as Record<string, unknown>;
  const kinds = (Object.keys(LISTEN_FILTER) as ListKind[]).filter((kind) => filter[LISTEN_FILTER[kind]] === true);
  const tag = { [REVISION_META.subscriptionId]: id };
  return {
    opening: sseEvent({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: { notifications: Object.fromEntries(kinds.map((k) => [LISTEN_FILTER[k], true])), _meta: tag },
    }),
    event: (kind) => (kinds.includes(kind) ? sseEvent({ jsonrpc: '2.0', method: LIST_CHANGED[kind], params: { _meta: tag } }) : undefined),
    closing: sseEvent({ jsonrpc: '2.0', id, result: { resultType: 'complete', _meta: { ...tag, [REVISION_META.serverInfo]: serverInfo } } }),
  };
}
