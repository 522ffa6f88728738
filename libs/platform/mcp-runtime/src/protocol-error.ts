/**
 * A JSON-RPC error thrown to the SDK protocol layer from a request handler: the SDK sends `code`, `message` and
 * `data` as they are, without its own message prefix.
 */
export class ProtocolError extends Error {
  readonly code: number;
  readonly data: unknown;
  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.data = data;
  }
}
