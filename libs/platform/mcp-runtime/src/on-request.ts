import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { z } from 'zod';
import type { HandlerExtra } from './handler-extra.ts';
import { checkInputText, inputTextError } from './input-text-check.ts';
import type { InputLimits } from './input-text-check.ts';
import { ProtocolError } from './protocol-error.ts';
import { toProtocolError } from './to-protocol-error.ts';

/** Registers the handler of one request schema's method on a server (see {@link onRequest}). */
export type OnRequest = <S extends z.ZodObject>(schema: S, handle: (request: z.output<S>, extra: HandlerExtra) => Promise<unknown>) => void;

/**
 * The registration function of a server's request handlers. Each handler is registered with a lenient schema and
 * validates params itself, so a malformed request is a -32602 "Invalid params" naming the problem rather than the
 * protocol layer's generic -32603; the edge check of resource URIs, prompt arguments and cursors runs first,
 * before zod or a handler walks them.
 */
export function onRequest(server: Server, inputLimits: InputLimits): OnRequest {
  return (schema, handle) => {
    const method = (schema.shape as { method: z.ZodLiteral<string> }).method.value;
    server.setRequestHandler(
      z.looseObject({ method: z.literal(method), params: z.unknown().optional() }) as never,
      (async (request: unknown, extra: unknown) => {
        const problem = checkInputText((request as { params?: unknown }).params ?? {}, inputLimits);
        if (problem !== undefined) throw toProtocolError(inputTextError(problem, `params for ${method}`), undefined);
        const parsed = schema.safeParse(request);
        if (!parsed.success) {
          throw new ProtocolError(
            -32602,
            `Invalid params for ${method}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
          );
        }
        return handle(parsed.data, extra as HandlerExtra);
      }) as never,
    );
  };
}
