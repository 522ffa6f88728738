import type { z } from 'zod';
import type { workflowSchema } from '@mcpfed/contract-order';
import type { SagaRecord } from '../store/saga-store.ts';

/** A checkout workflow as tools return it. */
export type WorkflowView = z.output<typeof workflowSchema>;

/** The wire shape of a saga record. */
export function toWorkflowView(saga: SagaRecord): WorkflowView {
  return {
    order_id: saga.order_id,
    status: saga.status,
    step: saga.step,
    completed_steps: saga.completed_steps,
    attempts: saga.attempts,
    last_error: saga.last_error,
    failure_reason: (saga.failure_reason as WorkflowView['failure_reason']) ?? null,
    started_at: saga.started_at.toISOString(),
    updated_at: saga.updated_at.toISOString(),
    finished_at: saga.finished_at?.toISOString() ?? null,
  };
}
