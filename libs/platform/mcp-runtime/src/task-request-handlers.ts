import { CancelTaskRequestSchema, GetTaskPayloadRequestSchema, GetTaskRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { CallEnvelope } from './call-envelope.ts';
import type { HandlerExtra } from './handler-extra.ts';
import { handlerRevision } from './handler-revision.ts';
import type { OnRequest } from './on-request.ts';
import { ProtocolError } from './protocol-error.ts';
import { declaresTasksExtension, tasksExtensionMissing } from './task-wire.ts';
import type { ToolTasks } from './tool-tasks.ts';

/** Registers tasks/get, tasks/result and tasks/cancel on a server whose tools include some that run as tasks. */
export function onTaskRequests<DB>(on: OnRequest, tasks: ToolTasks<DB>, envelopeOf: (extra: HandlerExtra) => CallEnvelope): void {
  const taskIdOf = (request: unknown) => (request as { params?: { taskId?: unknown } }).params?.taskId;
  // 2026-07-28 (the tasks extension): only a client declaring the extension asks, and tasks/result is gone.
  const modernTasks = (method: string, extra: HandlerExtra) => {
    const revision = handlerRevision(extra);
    if (revision === '2026-07-28' && !declaresTasksExtension(extra._meta)) throw tasksExtensionMissing(method);
    return revision;
  };
  on(GetTaskRequestSchema as unknown as z.ZodObject, async (request, extra) =>
    tasks.get(taskIdOf(request), envelopeOf(extra), modernTasks('tasks/get', extra)),
  );
  on(GetTaskPayloadRequestSchema as unknown as z.ZodObject, async (request, extra) => {
    if (handlerRevision(extra) === '2026-07-28')
      throw new ProtocolError(-32601, 'Method not found: tasks/result is not part of the 2026-07-28 tasks extension; tasks/get carries the result');
    return tasks.result(taskIdOf(request), envelopeOf(extra));
  });
  on(CancelTaskRequestSchema as unknown as z.ZodObject, async (request, extra) =>
    tasks.cancel(taskIdOf(request), envelopeOf(extra), modernTasks('tasks/cancel', extra)),
  );
}
