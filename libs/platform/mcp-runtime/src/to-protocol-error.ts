import { toJsonRpcError } from '@mcpfed/errors';
import { ProtocolError } from './protocol-error.ts';

/** Any error as the JSON-RPC error the SDK sends: the one wire conversion of `@mcpfed/errors`, thrown as a ProtocolError. */
export function toProtocolError(error: unknown, requestId: string | undefined): ProtocolError {
  const rpc = toJsonRpcError(error, requestId);
  return new ProtocolError(rpc.code, rpc.message, rpc.data);
}
