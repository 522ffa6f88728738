import { z } from 'zod';
import { defineTool } from '@mcpfed/contract-common';
import { orderIdSchema, workflowSchema } from './schemas.ts';

/** Reads the checkout workflow of an order. */
export const orderWorkflowGet = defineTool({
  name: 'order_workflow_get',
  title: 'Get a checkout workflow',
  description:
    'Reads the checkout workflow (saga) of an order: status (running, compensating, completed, failed), ' +
    'next step, steps done, attempts, the last error and the failure reason, to explain why an order is ' +
    'pending or failed. On failure: NOT_FOUND for an unknown order.',
  guide:
    'Reads the checkout workflow (saga) of an order: status (running, compensating, completed, failed), the next ' +
    'step, the steps done, attempts, the last error with its step and code, and the failure reason. Use it to ' +
    'explain why an order is pending or failed. Returns the workflow. On failure: NOT_FOUND for an unknown order.',
  input: z.strictObject({ order_id: orderIdSchema }),
  output: workflowSchema,
  scopes: ['order:read'],
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  idempotency: 'none',
});
