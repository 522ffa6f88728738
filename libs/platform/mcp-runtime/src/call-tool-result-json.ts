/** A tools/call result as the MCP wire wants it. */
export interface CallToolResultJson {
  [key: string]: unknown;
  content: Array<Record<string, unknown>>;
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}
