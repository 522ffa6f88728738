export { ORDER_EVENTS_QUEUE_PREFIX, ORDER_EVENT_TYPES, orderEventSchema, orderEventsQueueName, orderSnapshotSchema } from './order-event.ts';
export type { OrderEvent, OrderEventType, OrderSnapshot } from './order-event.ts';
