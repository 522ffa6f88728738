import { setTimeout as sleep } from 'node:timers/promises';
import { postRpc } from '../tool-caller.ts';
import type { Fault, FaultContext, FaultWindow } from './fault.ts';

/** How long a hostile request may take to get its answer (a JSON-RPC error, a tool error or a 4xx). */
export const HOSTILE_ANSWER_MS = 1000;

const call = (name: string, argumentsText: string, id: number): string =>
  `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"${name}","arguments":${argumentsText}}}`;

/** The hostile requests, by kind: what PostgreSQL or JSON cannot store, and JSON-RPC that is not what it should be. */
export const HOSTILE_PAYLOADS: ReadonlyArray<{ kind: string; body: (id: number) => string; refusedAsInvalid?: true }> = [
  { kind: 'nul in text', body: (id) => call('customer_search', '{"query":"anna\\u0000evans"}', id), refusedAsInvalid: true },
  {
    kind: 'nul in a note',
    body: (id) => call('customer_add_note', '{"customer_id":"cus_01hgzc7grw6afgn4k4q1952d1s","body":"x\\u0000y"}', id),
    refusedAsInvalid: true,
  },
  { kind: 'lone surrogate', body: (id) => call('product_search', '{"query":"head\\ud800phones"}', id), refusedAsInvalid: true },
  { kind: 'deep nesting', body: (id) => call('customer_get', `{"id":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, id), refusedAsInvalid: true },
  { kind: '1 MB string', body: (id) => call('customer_search', `{"query":"${'a'.repeat(1_048_576)}"}`, id), refusedAsInvalid: true },
  { kind: 'params as array', body: (id) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":[]}` },
  { kind: 'extra top-level key', body: (id) => `{"jsonrpc":"2.0","id":${id},"method":"tools/list","__proto__":{"x":1}}` },
  { kind: '_meta as array', body: (id) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"customer_get","arguments":{},"_meta":[]}}` },
  {
    kind: 'progressToken object',
    body: (id) => `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"customer_get","arguments":{},"_meta":{"progressToken":{"a":1}}}}`,
  },
  { kind: 'truncated JSON', body: (id) => `{"jsonrpc":"2.0","id":${id},"method":"tools/ca` },
  { kind: 'unknown tool', body: (id) => call('no_such_tool', '{}', id) },
];

/**
 * `hostile`: a burst of hostile requests through the router at `--hostile-rate` per second for `--hostile-ms`, cycling
 * through {@link HOSTILE_PAYLOADS}, while the load goes on. Its own checks: every hostile request answered within
 * {@link HOSTILE_ANSWER_MS} and none with a 5xx.
 */
export const hostileBurst: Fault = {
  name: 'hostile',
  description: 'a burst of NUL, lone surrogates, 10,000-deep values, 1 MB strings and malformed JSON-RPC through the router',
  async inject(context: FaultContext): Promise<FaultWindow> {
    const { target, settings } = context;
    const total = Math.max(1, Math.round((settings.hostileRate * settings.hostileMs) / 1000));
    context.log(`${total} hostile requests at ${settings.hostileRate}/s`);
    const startedAt = Date.now();
    const sent: Array<Promise<{ kind: string; ms: number; status: number; code: string | undefined; refusedAsInvalid: boolean }>> = [];
    for (let i = 0; i < total; i++) {
      const payload = HOSTILE_PAYLOADS[i % HOSTILE_PAYLOADS.length] as (typeof HOSTILE_PAYLOADS)[number];
      const at = startedAt + (i * 1000) / settings.hostileRate;
      if (at > Date.now()) await sleep(at - Date.now());
      const began = Date.now();
      sent.push(
        postRpc(target.routerMcpUrl, target.token, payload.body(1_000_000 + i), 5_000).then((outcome) => ({
          kind: payload.kind,
          ms: Date.now() - began,
          status: outcome.status,
          code: outcome.code,
          refusedAsInvalid: payload.refusedAsInvalid === true,
        })),
      );
    }
    const answers = await Promise.all(sent);
    const endedAt = Date.now();
    const late = answers.filter((answer) => answer.status === 0 || answer.ms > HOSTILE_ANSWER_MS);
    const serverErrors = answers.filter((answer) => answer.status >= 500);
    // Text PostgreSQL or JSON cannot store is the caller's mistake: a VALIDATION_FAILED naming the field (or the
    // protocol's invalid-params error), never INTERNAL.
    const notRefused = answers.filter(
      (answer) => answer.refusedAsInvalid && answer.status !== 0 && answer.code !== 'VALIDATION_FAILED' && answer.code !== 'RPC_-32602',
    );
    const kinds = (list: typeof answers): string => (list.length === 0 ? '' : ` (${[...new Set(list.map((answer) => answer.kind))].join(', ')})`);
    return {
      startedAt,
      endedAt,
      detail: `${total} hostile requests over ${((endedAt - startedAt) / 1000).toFixed(1)} s`,
      checks: [
        {
          name: `hostile requests answered within ${HOSTILE_ANSWER_MS} ms`,
          ok: late.length === 0,
          detail: `${total - late.length} of ${total} answered in time; ${late.length} late or never${kinds(late)}`,
        },
        { name: 'no 5xx for hostile requests', ok: serverErrors.length === 0, detail: `${serverErrors.length} answered with 5xx${kinds(serverErrors)}` },
        {
          name: 'hostile arguments refused as VALIDATION_FAILED',
          ok: notRefused.length === 0,
          detail: `${notRefused.length} answered otherwise${notRefused.length === 0 ? '' : ` (${[...new Set(notRefused.map((answer) => `${answer.kind}: ${answer.code ?? 'ok'}`))].join(', ')})`}`,
        },
      ],
    };
  },
};
