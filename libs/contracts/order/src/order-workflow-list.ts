import { z } from 'zod';
import { cursorSchema, defineTool, limitSchema, nextCursorSchema } from '@mcpfed/contract-common';
import { workflowSchema } from './schemas.ts';

/** Filters of order_workflow_list: a status, or `stuck` (running or compensating with no progress for a while). */
export const WORKFLOW_LIST_STATES = ['running', 'compensating', 'completed', 'failed', 'stuck'] as const;

/** Lists checkout workflows by state. */
export const orderWorkflowList = defineTool({
  name: 'order_workflow_list',
  title: 'List checkout workflows',
  description:
    'Lists checkout workflows in one state, latest updated first: running, compensating, completed, ' +
    'failed, or stuck (no progress for longer than the sweeper threshold, e.g. an upstream is down); ' +
    'order_workflow_retry restarts a stuck one. Returns { items, next_cursor }. On failure: ' +
    'VALIDATION_FAILED for a bad cursor.',
  guide:
    'Lists checkout workflows in one state, most recently updated first: running, compensating, completed, failed, ' +
    'or stuck (running or compensating without progress for longer than the sweeper threshold - e.g. an upstream ' +
    'server is down). Use it to find orders that need attention; order_workflow_retry restarts a stuck one. Returns ' +
    '{ items, next_cursor } (null on the last page). On failure: VALIDATION_FAILED for a bad cursor.',
  input: z.strictObject({
    state: z.enum(WORKFLOW_LIST_STATES).default('stuck'),
    limit: limitSchema,
    cursor: cursorSchema.optional(),
  }),
  output: z.object({ items: z.array(workflowSchema), next_cursor: nextCursorSchema }),
  scopes: ['order:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
