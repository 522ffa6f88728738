import { claimedRevision } from '@mcpfed/mcp-runtime';

/** Characters an `Mcp-Name` value may carry as is (visible ASCII and space, no edge whitespace). */
const PLAIN_HEADER_VALUE = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/;

/**
 * The standard headers of a message claiming 2026-07-28 (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`), from the
 * message as forwarded: the upstream checks them against the body, and on the lazy view the forwarded tool is not
 * the caller's `call_tool`. Base64 sentinel form for a name that is not plain ASCII. None for an older revision.
 */
export function modernRequestHeaders(message: Record<string, unknown>): Record<string, string> {
  const claim = claimedRevision(message);
  if (claim === undefined) return {};
  const method = message['method'] as string;
  const params = (message['params'] ?? {}) as Record<string, unknown>;
  const name = method === 'resources/read' ? params['uri'] : method === 'tools/call' || method === 'prompts/get' ? params['name'] : undefined;
  const headers: Record<string, string> = { 'mcp-protocol-version': claim, 'mcp-method': method };
  if (typeof name === 'string') {
    headers['mcp-name'] = PLAIN_HEADER_VALUE.test(name) && !name.startsWith('=?base64?') ? name : `=?base64?${Buffer.from(name, 'utf8').toString('base64')}?=`;
  }
  return headers;
}
