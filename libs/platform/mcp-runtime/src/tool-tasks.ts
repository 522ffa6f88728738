import { missingScopes } from '@mcpfed/auth';
import { AppError, isErrorCode, toJsonRpcError } from '@mcpfed/errors';
import { ProtocolError } from './protocol-error.ts';
import {
  cancelTaskResult,
  createTaskResult,
  decodeTaskId,
  encodeTaskId,
  getTaskResult,
  isTerminalTask,
  taskNotFound,
  taskPayload,
  urlElicitationAnswer,
  wireStatus,
  wireTask,
} from './task-wire.ts';
import type { TaskRevision, TaskState } from './task-wire.ts';
import type { CallEnvelope } from './call-envelope.ts';
import type { CallToolResultJson } from './call-tool-result-json.ts';
import type { ToolRunner } from './tool-runner.ts';
import type { ToolBinding, ToolContext, ToolTaskBinding } from './types.ts';
import type { ToolContract } from '@mcpfed/contract-common';

/** Collaborators of {@link ToolTasks}. */
export interface ToolTasksDeps<DB> {
  runner: ToolRunner<DB>;
  /** Runs a domain function with the caller's context (span, deadline, error conversion), as resources do. */
  run: <T>(kind: string, envelope: CallEnvelope, fn: (ctx: ToolContext<DB>) => Promise<T>) => Promise<T>;
  /** Deadline of a tool without its own, in milliseconds: tasks/result blocks a little less than the tool's deadline. */
  defaultDeadlineMs: number;
  /**
   * Records a cancel in the audit log before it runs (write-ahead, like a write tool's call) and completes it with
   * its outcome; returns the function that completes it.
   */
  auditCancel: (taskId: string, envelope: CallEnvelope) => Promise<(outcome: string) => Promise<void>>;
  /** Records a refused cancel (an unknown task, another principal's, a terminal one): the raw task id and why. */
  auditRefusedCancel: (taskId: unknown, envelope: CallEnvelope, outcome: 'NOT_FOUND' | 'PRECONDITION_FAILED') => void;
}

/**
 * Whether a tool runs as a task: its contract declares task support and its binding says how. The one test of it, so
 * the host's routing, the task calls and the capability announced cannot disagree.
 */
export function runsAsTask<DB>(binding: ToolBinding<DB> | undefined): binding is ToolBinding<DB> & { options: { task: ToolTaskBinding<ToolContract, DB> } } {
  return binding !== undefined && binding.contract.taskSupport !== undefined && binding.options.task !== undefined;
}

const DEFAULT_POLL_INTERVAL_MS = 1000;

/**
 * MCP Tasks over the tools that support them (docs/architecture.md §4): a task-augmented tools/call runs the tool
 * with its task input and answers a task handle; tasks/get, tasks/result and tasks/cancel ask the tool's domain,
 * whose own rows hold the state, so any replica answers and a restart loses nothing. Nothing is kept here.
 */
export class ToolTasks<DB> {
  readonly #deps: ToolTasksDeps<DB>;

  constructor(deps: ToolTasksDeps<DB>) {
    this.#deps = deps;
  }

  /**
   * A task-augmented tools/call: the CreateTaskResult, or the call's own answer when it started nothing. A call waiting
   * for a person is that URL elicitation, unless `urlElicitation` is false (a 2026-07-28 client that declared none
   * keeps the link in the tool result).
   */
  async call(name: string, args: unknown, envelope: CallEnvelope, revision: TaskRevision, urlElicitation = true): Promise<Record<string, unknown>> {
    const binding = this.#deps.runner.binding(name);
    if (!runsAsTask(binding)) {
      // 2025-11-25 tools: a task-augmented call of a tool without task support is -32601.
      throw new ProtocolError(-32601, `${name} does not run as a task: call it without params.task.`);
    }
    const task = binding.options.task;
    const result = await this.#deps.runner.call(name, args, { ...envelope, asTask: true });
    // A call refused before it started anything has no task to poll: its error is the answer, in the revision's form
    // of a tool error (2026-07-28: the isError result, as the call without a task gets; 2025-11-25: a JSON-RPC error).
    if (result.isError === true) {
      if (revision === '2026-07-28') return result;
      throw errorOfResult(result, envelope.requestId);
    }
    const output = result.structuredContent ?? {};
    const handle = task.handleOf(output);
    if (handle === undefined) {
      const elicitation = urlElicitation ? binding.options.elicitation?.(output) : undefined;
      if (elicitation === undefined) return result;
      const answer = urlElicitationAnswer(revision, elicitation);
      if ('error' in answer) throw answer.error;
      return answer.result;
    }
    const taskId = encodeTaskId(binding.contract.name, handle);
    const state = await this.#state(binding, task, handle, taskId, envelope, 'tasks/get');
    return createTaskResult(
      revision,
      wireTask(revision, taskId, wireStatus(revision, state), task.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS),
      `${binding.contract.name} runs as task ${taskId}; its result arrives when the task completes.`,
    );
  }

  /** tasks/get. */
  async get(taskId: unknown, envelope: CallEnvelope, revision: TaskRevision): Promise<Record<string, unknown>> {
    const { binding, task, handle, id } = this.#resolve(taskId, envelope);
    const state = await this.#state(binding, task, handle, id, envelope, 'tasks/get');
    const wire = wireTask(revision, id, wireStatus(revision, state), task.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
    if (revision === '2026-07-28' && isTerminalTask(state.status)) return getTaskResult(revision, wire, await this.#final(binding, task, handle, id, envelope));
    return getTaskResult(revision, wire);
  }

  /** tasks/result: blocks while the task works (up to about the tool's deadline), then the tool's final result. */
  async result(taskId: unknown, envelope: CallEnvelope): Promise<Record<string, unknown>> {
    const { binding, task, handle, id } = this.#resolve(taskId, envelope);
    // Within the tool's deadline, which the router also waits for (plus its margin) before it gives up on the answer.
    const until = Date.now() + Math.max(1000, (binding.contract.deadlineMs ?? this.#deps.defaultDeadlineMs) - 1000);
    for (;;) {
      const state = await this.#state(binding, task, handle, id, envelope, 'tasks/result');
      if (isTerminalTask(state.status)) return this.#final(binding, task, handle, id, envelope);
      if (Date.now() >= until || envelope.signal.aborted) {
        throw new ProtocolError(-32001, `Task ${id} is still ${state.status}; call tasks/result again, or poll tasks/get.`);
      }
      // The interval the task advertises (the domain's rows change no faster, and each poll is a query on them), but
      // never past the time this call answers by.
      await sleep(Math.min(task.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, until - Date.now()), envelope.signal);
    }
  }

  /**
   * tasks/cancel: a terminal task, or one the domain will not cancel, is -32602 saying why. A refused cancel (no such
   * task for the caller, or a terminal one) is audited too: probing for other callers' task ids leaves a trace.
   */
  async cancel(taskId: unknown, envelope: CallEnvelope, revision: TaskRevision): Promise<Record<string, unknown>> {
    const found = this.#find(taskId, envelope);
    if (found === undefined) {
      this.#deps.auditRefusedCancel(taskId, envelope, 'NOT_FOUND');
      throw taskNotFound(taskId);
    }
    const { binding, task, handle, id } = found;
    const before = await this.#deps.run(`tasks/cancel ${binding.contract.name}`, envelope, (ctx) => task.get(handle, ctx));
    if (before === undefined) {
      this.#deps.auditRefusedCancel(taskId, envelope, 'NOT_FOUND');
      throw taskNotFound(id);
    }
    if (isTerminalTask(before.status)) {
      this.#deps.auditRefusedCancel(taskId, envelope, 'PRECONDITION_FAILED');
      throw new ProtocolError(
        -32602,
        `Cannot cancel task: already in terminal status '${before.status}'${before.message === undefined ? '' : `: ${before.message}`}`,
      );
    }
    const finish = await this.#deps.auditCancel(id, envelope);
    try {
      await this.#deps.run('tasks/cancel', envelope, (ctx) => task.cancel(handle, ctx));
    } catch (error) {
      await finish(error instanceof ProtocolError ? String((error.data as { code?: unknown } | undefined)?.code ?? 'INTERNAL') : 'INTERNAL');
      if (!(error instanceof ProtocolError) || error.code === -32603) throw error;
      throw new ProtocolError(-32602, `Cannot cancel task: ${error.message}`, error.data);
    }
    await finish('ok');
    const after = await this.#state(binding, task, handle, id, envelope, 'tasks/cancel');
    return cancelTaskResult(revision, wireTask(revision, id, after, task.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS));
  }

  #resolve(taskId: unknown, envelope: CallEnvelope): FoundTask<DB> {
    const found = this.#find(taskId, envelope);
    if (found === undefined) throw taskNotFound(taskId);
    return found;
  }

  /** The task a task id names, or undefined when it names none the caller may see. */
  #find(taskId: unknown, envelope: CallEnvelope): FoundTask<DB> | undefined {
    const decoded = decodeTaskId(taskId);
    const binding = decoded === undefined ? undefined : this.#deps.runner.binding(decoded.tool);
    // A caller without the tool's scopes learns nothing about its tasks: the same answer as a missing one.
    if (decoded === undefined || !runsAsTask(binding) || missingScopes(envelope.principal, binding.contract.scopes).length > 0) return undefined;
    return { binding, task: binding.options.task, handle: decoded.handle, id: encodeTaskId(binding.contract.name, decoded.handle) };
  }

  async #state(
    binding: ToolBinding<DB>,
    task: ToolTaskBinding<ToolContract, DB>,
    handle: string,
    id: string,
    envelope: CallEnvelope,
    kind: string,
  ): Promise<TaskState> {
    const state = await this.#deps.run(`${kind} ${binding.contract.name}`, envelope, (ctx) => task.get(handle, ctx));
    if (state === undefined) throw taskNotFound(id);
    return state;
  }

  async #final(
    binding: ToolBinding<DB>,
    task: ToolTaskBinding<ToolContract, DB>,
    handle: string,
    id: string,
    envelope: CallEnvelope,
  ): Promise<Record<string, unknown>> {
    const output = await this.#deps.run(`tasks/result ${binding.contract.name}`, envelope, (ctx) => task.result(handle, ctx));
    return taskPayload(this.#deps.runner.resultOf(binding.contract.name, output as Record<string, unknown>), id);
  }
}

/** A task a caller may see: its tool's binding and task binding, the domain's handle and the task id. */
interface FoundTask<DB> {
  binding: ToolBinding<DB>;
  task: ToolTaskBinding<ToolContract, DB>;
  handle: string;
  id: string;
}

/** The JSON-RPC error of a tool error result (its structured error kept as `data`). */
function errorOfResult(result: CallToolResultJson, requestId: string): ProtocolError {
  const error = (result.structuredContent?.['error'] ?? {}) as { code?: string; message?: string; details?: Record<string, unknown>; retryable?: boolean };
  const code = typeof error.code === 'string' && isErrorCode(error.code) ? error.code : 'INTERNAL';
  const rpc = toJsonRpcError(
    new AppError(code, error.message ?? 'The call failed.', {
      ...(error.details === undefined ? {} : { details: error.details }),
      ...(error.retryable === undefined ? {} : { retryable: error.retryable }),
    }),
    requestId,
  );
  return new ProtocolError(rpc.code, rpc.message, rpc.data);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
