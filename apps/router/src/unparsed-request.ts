/** A request forwarded as the caller sent it (2026-07-28 `tools/call` routed on its headers). */
export interface UnparsedRequest {
  /** The body, as received (within the size limit). */
  body: Buffer;
  /** The caller's `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name`, sent on as they are. */
  headers: Readonly<Record<string, string>>;
}

/** The caller's request from an unparsed body, for an error answer; a body that is not a JSON object gives `id: null`. */
export function parseUnparsedBody(body: Buffer, method: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return { ...(parsed as Record<string, unknown>), method };
  } catch {
    // not JSON: the answer has no id to carry
  }
  return { jsonrpc: '2.0', id: null, method };
}
