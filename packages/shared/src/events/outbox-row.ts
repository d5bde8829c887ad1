import type { DomainEvent } from './envelope';
import type { Topic } from './topics';

/** The columns of an `outbox_events` row (same table shape in every service that emits events). */
export interface OutboxRow {
  eventId: string;
  topic: string;
  messageKey: string;
  type: string;
  envelope: DomainEvent;
}

/** Message key = aggregateId (the orderSn), so one order's events stay ordered in one partition. */
export function toOutboxRow(topic: Topic, event: DomainEvent): OutboxRow {
  return { eventId: event.eventId, topic, messageKey: event.aggregateId, type: event.type, envelope: event };
}
