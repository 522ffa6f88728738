import { z } from 'zod';
import { defineTool } from '@mcpfed/contract-common';
import { orderIdSchema, workflowSchema } from './schemas.ts';

/** Re-runs an unfinished checkout workflow now. */
export const orderWorkflowRetry = defineTool({
  name: 'order_workflow_retry',
  title: 'Retry a checkout workflow',
  description:
    'Queues an unfinished checkout workflow (running or compensating; order_workflow_list status stuck ' +
    'finds them) to run again now with a fresh retry budget; it resumes at its persisted step and repeats ' +
    'no step that succeeded. Use it once the cause is fixed. Returns { workflow, queued }. On failure: ' +
    'NOT_FOUND; PRECONDITION_FAILED when the workflow already finished (details.status); ' +
    'UPSTREAM_UNAVAILABLE when the queue is unreachable (the sweeper picks it up).',
  guide:
    'Queues an unfinished checkout workflow (running or compensating) to run again now, with a fresh retry budget; ' +
    'it resumes from its persisted step and repeats no step that already succeeded (every step has its own ' +
    'idempotency key). Use it after the cause of a stuck workflow is fixed (an upstream server is back). Returns ' +
    '{ workflow, queued }. Retrying an already queued workflow changes nothing. On failure: NOT_FOUND for an unknown ' +
    'order; PRECONDITION_FAILED when the workflow already finished (details.status completed or failed); ' +
    'UPSTREAM_UNAVAILABLE when the queue is unreachable (the sweeper will pick it up).',
  input: z.strictObject({ order_id: orderIdSchema }),
  output: z.object({ workflow: workflowSchema, queued: z.boolean() }),
  scopes: ['order:write'],
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
