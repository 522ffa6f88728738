import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Principal } from '@mcpfed/auth';
import type { CallEnvelope } from './call-envelope.ts';
import type { CallToolResultJson } from './call-tool-result-json.ts';
import type { HandlerExtra } from './handler-extra.ts';
import { handlerRevision } from './handler-revision.ts';
import { ProtocolError } from './protocol-error.ts';
import { acceptsUrlElicitation, declaresTasksExtension, urlElicitationAnswer } from './task-wire.ts';
import type { ToolRunner } from './tool-runner.ts';
import { runsAsTask } from './tool-tasks.ts';
import type { ToolTasks } from './tool-tasks.ts';

/** Collaborators of {@link toolsCallHandler}. */
export interface ToolsCallDeps<DB> {
  server: Server;
  /** The caller of a transport without per-request auth (stdio, in-memory); undefined over HTTP. */
  connectionPrincipal: Principal | undefined;
  runner: ToolRunner<DB>;
  /** Task support of the tools that declare it; undefined when none does. */
  tasks: ToolTasks<DB> | undefined;
  /** Runs a call of a tool by name (an unknown name is a JSON-RPC error). */
  callTool: (name: string, args: unknown, envelope: CallEnvelope) => Promise<CallToolResultJson>;
  envelopeOf: (extra: HandlerExtra) => CallEnvelope;
}

/**
 * The SDK fallback handler answering tools/call (any other unregistered method is -32601). tools/call is the hot
 * path: it bypasses the SDK's generic request and result schema parsing (two zod parses of every call and its whole
 * result) with the equivalent checks below; the runner validates the arguments against the tool's own contract and
 * builds the result in the spec's shape. It routes task-augmented calls to the tasks, and answers a result waiting
 * for a person as a URL elicitation to a client that takes one.
 */
export function toolsCallHandler<DB>(deps: ToolsCallDeps<DB>) {
  const { server, connectionPrincipal, runner, tasks, callTool, envelopeOf } = deps;
  return async (request: { method: string; params?: unknown }, extra: unknown) => {
    if (request.method !== 'tools/call') throw new ProtocolError(-32601, 'Method not found');
    const params = request.params as { name?: unknown; arguments?: unknown; _meta?: unknown } | undefined;
    if (params === null || typeof params !== 'object' || typeof params.name !== 'string' || params.name.length === 0) {
      throw new ProtocolError(-32602, 'Invalid params for tools/call: params.name must be a tool name');
    }
    if (params.arguments !== undefined && (params.arguments === null || typeof params.arguments !== 'object' || Array.isArray(params.arguments))) {
      throw new ProtocolError(-32602, 'Invalid params for tools/call: params.arguments must be an object');
    }
    const handlerExtra = extra as HandlerExtra;
    const task = (params as { task?: unknown }).task;
    const revision = handlerRevision(handlerExtra);
    // 2026-07-28: the server decides; a tool with task support runs as a task for a client declaring the extension.
    const initialized = connectionPrincipal === undefined ? undefined : (server.getClientCapabilities() as Record<string, unknown> | undefined);
    if (revision === '2026-07-28' && tasks !== undefined && declaresTasksExtension(handlerExtra._meta) && runsAsTask(runner.binding(params.name))) {
      return tasks.call(params.name, params.arguments, envelopeOf(handlerExtra), revision, acceptsUrlElicitation(handlerExtra._meta, initialized));
    }
    if (task !== undefined && tasks !== undefined && revision === '2025-11-25') {
      if (task === null || typeof task !== 'object' || Array.isArray(task))
        throw new ProtocolError(-32602, 'Invalid params for tools/call: params.task must be an object');
      if (!runner.has(params.name)) return callTool(params.name, params.arguments, envelopeOf(handlerExtra));
      return tasks.call(params.name, params.arguments, envelopeOf(handlerExtra), revision);
    }
    const result = await callTool(params.name, params.arguments, envelopeOf(handlerExtra));
    // A result waiting for a person goes to a client that takes URL elicitation as that elicitation; others
    // keep the link in the result.
    const elicitation = result.isError === true ? undefined : runner.binding(params.name)?.options.elicitation?.(result.structuredContent ?? {});
    if (elicitation === undefined) return result;
    if (!acceptsUrlElicitation(handlerExtra._meta, initialized)) return result;
    const answer = urlElicitationAnswer(revision, elicitation);
    if ('error' in answer) throw answer.error;
    return answer.result;
  };
}
