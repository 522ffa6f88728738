/** The outcome of one tool call as the harness records it. */
export interface CallOutcome {
  /** True for a result without `isError`. */
  readonly ok: boolean;
  /** `structuredContent` of the result (success or error envelope). */
  readonly structured: Record<string, unknown> | undefined;
  /**
   * Why it failed: the mcpfed error code of a tool error, `RPC_<code>` of a JSON-RPC error, `HTTP_<status>` of a
   * refused request, `NO_ANSWER` when the request got no answer in time or the connection failed.
   */
  readonly code: string | undefined;
  /** HTTP status, 0 without an answer. */
  readonly status: number;
}

let nextId = 1;

/**
 * Calls one tool through an MCP endpoint with a single JSON-RPC POST (stateless Streamable HTTP, as the federation
 * client does): no SDK client per call, so the harness itself stays light while it drives load. Never throws.
 */
export async function callTool(url: string, token: string, name: string, args: Record<string, unknown>, timeoutMs: number): Promise<CallOutcome> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name, arguments: args } });
  return postRpc(url, token, body, timeoutMs);
}

/** Posts a raw JSON-RPC body (hostile input included) and reads the answer as {@link callTool} does. */
export async function postRpc(url: string, token: string, body: string, timeoutMs: number): Promise<CallOutcome> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-11-25',
        authorization: `Bearer ${token}`,
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch {
    return { ok: false, structured: undefined, code: 'NO_ANSWER', status: 0 };
  }
  if (response.status !== 200) return { ok: false, structured: undefined, code: `HTTP_${response.status}`, status: response.status };
  const message = parseAnswer(text, response.headers.get('content-type') ?? '');
  if (message === undefined) return { ok: false, structured: undefined, code: 'NO_ANSWER', status: 200 };
  const error = message['error'] as { code?: unknown } | undefined;
  if (error !== undefined) return { ok: false, structured: undefined, code: `RPC_${String(error.code)}`, status: 200 };
  const result = (message['result'] ?? {}) as { isError?: unknown; structuredContent?: Record<string, unknown> };
  const structured = result.structuredContent;
  if (result.isError === true) {
    const code = (structured?.['error'] as { code?: unknown } | undefined)?.code;
    return { ok: false, structured, code: typeof code === 'string' ? code : 'TOOL_ERROR', status: 200 };
  }
  return { ok: true, structured, code: undefined, status: 200 };
}

/** The JSON-RPC response in a JSON body or in the last `data:` event of an SSE body that carries one. */
function parseAnswer(text: string, contentType: string): Record<string, unknown> | undefined {
  const candidates = contentType.includes('text/event-stream')
    ? text
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
    : [text];
  for (const candidate of candidates.reverse()) {
    try {
      const parsed = JSON.parse(candidate) as Record<string, unknown>;
      if ('result' in parsed || 'error' in parsed) return parsed;
    } catch {
      // not JSON: keep looking
    }
  }
  return undefined;
}
