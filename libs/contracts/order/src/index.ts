import type { DomainContract } from '@mcpfed/contract-common';
import { orderCancel } from './order-cancel.ts';
import { orderEvents } from './order-events.ts';
import { orderFulfill } from './order-fulfill.ts';
import { orderGet } from './order-get.ts';
import { orderMarkDelivered } from './order-mark-delivered.ts';
import { orderPlace } from './order-place.ts';
import { orderQuerySql } from './order-query-sql.ts';
import { orderQuote } from './order-quote.ts';
import { orderRefund } from './order-refund.ts';
import { orderSearch } from './order-search.ts';
import { orderSummary } from './order-summary.ts';
import { orderWorkflowGet } from './order-workflow-get.ts';
import { orderWorkflowList } from './order-workflow-list.ts';
import { orderWorkflowRetry } from './order-workflow-retry.ts';
import { orderSupportTriage } from './prompts.ts';
import { orderResource, orderSchemaResource, orderStateMachineResource } from './resources.ts';

export {
  orderCancel,
  orderEvents,
  orderFulfill,
  orderGet,
  orderMarkDelivered,
  orderPlace,
  orderQuerySql,
  orderQuote,
  orderRefund,
  orderSearch,
  orderSummary,
  orderWorkflowGet,
  orderWorkflowList,
  orderWorkflowRetry,
  orderSupportTriage,
  orderResource,
  orderSchemaResource,
  orderStateMachineResource,
};
export { ORDER_EVENTS_QUEUE_PREFIX, ORDER_EVENT_TYPES, orderEventSchema, orderEventsQueueName, orderSnapshotSchema } from './order-event.ts';
export type { OrderEvent, OrderEventType, OrderSnapshot } from './order-event.ts';
export { CANCEL_REASONS } from './order-cancel.ts';
export { MAX_PLACE_WAIT_MS } from './order-place.ts';
export { QUOTE_PROBLEM_CODES } from './order-quote.ts';
export { ORDER_SEARCH_SORTS } from './order-search.ts';
export { MAX_SUMMARY_DAYS } from './order-summary.ts';
export { WORKFLOW_LIST_STATES } from './order-workflow-list.ts';
export { ORDER_SQL_RELATIONS, ORDER_SQL_VIEWS } from './sql-views.ts';
export {
  CAPTURE_MODES,
  CHECKOUT_STEPS,
  COMPENSATION_STEPS,
  FAILURE_REASONS,
  MAX_ORDER_LINES,
  ORDER_STATUSES,
  WORKFLOW_STATUSES,
  orderAddressIdSchema,
  orderCustomerIdSchema,
  orderHistoryEntrySchema,
  orderIdSchema,
  orderLineInputSchema,
  orderLineSchema,
  orderLinesInputSchema,
  orderNumberSchema,
  orderPaymentMethodSchema,
  orderPaymentSchema,
  orderSchema,
  orderTimestampSchema,
  workflowSchema,
} from './schemas.ts';
export type { CaptureMode, CheckoutStep, CompensationStep, FailureReason, OrderStatus, WorkflowStatus } from './schemas.ts';

/** Everything the order domain offers, for registration, the router's catalog checks and the contract tests. */
export const orderContract: DomainContract = Object.freeze({
  domain: 'order',
  tools: [
    orderQuote,
    orderPlace,
    orderGet,
    orderSearch,
    orderCancel,
    orderRefund,
    orderFulfill,
    orderMarkDelivered,
    orderEvents,
    orderSummary,
    orderWorkflowGet,
    orderWorkflowList,
    orderWorkflowRetry,
    orderQuerySql,
  ],
  resources: [orderResource, orderStateMachineResource, orderSchemaResource],
  prompts: [orderSupportTriage],
});
