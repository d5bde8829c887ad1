import { randomUUID } from 'node:crypto';

/** Envelope of every event (SPEC §8). Events are past-tense, versioned contracts. */
export interface EventEnvelope<TType extends string = string, TPayload = unknown> {
  eventId: string;
  type: TType;
  version: number;
  aggregateId: string;
  occurredAt: string;
  correlationId: string;
  causationId?: string;
  payload: TPayload;
}

export interface OrderLine {
  skuId: number;
  quantity: number;
}

export interface OrderCreatedV1 {
  orderSn: string;
  userId: number;
  totalAmount: number;
  items: Array<OrderLine & { unitPrice: number }>;
  payDeadline: string;
}
export interface OrderPaidV1 {
  orderSn: string;
  userId: number;
  totalAmount: number;
  paidAt: string;
  items: OrderLine[];
}
export interface OrderCancelledV1 {
  orderSn: string;
  userId: number;
  reason: 'USER' | 'TIMEOUT';
  items: OrderLine[];
}
export interface OrderPaymentRejectedV1 {
  orderSn: string;
  amount: number;
  tradeNo: string | null;
}
export interface PaymentSucceededV1 {
  orderSn: string;
  amount: number;
  tradeNo: string;
  paidAt: string;
}
export interface PaymentRefundedV1 {
  orderSn: string;
  amount: number;
  outRequestNo: string;
}
export interface StockChangedV1 {
  orderSn: string;
  items: OrderLine[];
}

/** Type name → payload, version 1 of each contract. */
export interface EventPayloads {
  OrderCreated: OrderCreatedV1;
  OrderPaid: OrderPaidV1;
  OrderCancelled: OrderCancelledV1;
  OrderPaymentRejected: OrderPaymentRejectedV1;
  PaymentSucceeded: PaymentSucceededV1;
  PaymentRefunded: PaymentRefundedV1;
  StockDeducted: StockChangedV1;
  StockReleased: StockChangedV1;
}

export type EventType = keyof EventPayloads;

export type DomainEvent<T extends EventType = EventType> = EventEnvelope<T, EventPayloads[T]>;

export function createEvent<T extends EventType>(
  type: T,
  aggregateId: string,
  payload: EventPayloads[T],
  meta: { correlationId: string; causationId?: string; occurredAt?: Date },
): DomainEvent<T> {
  return {
    eventId: randomUUID(),
    type,
    version: 1,
    aggregateId,
    occurredAt: (meta.occurredAt ?? new Date()).toISOString(),
    correlationId: meta.correlationId,
    ...(meta.causationId ? { causationId: meta.causationId } : {}),
    payload,
  };
}
