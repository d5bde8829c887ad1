/** Kafka topics (SPEC §8). Message key = orderSn so one order's events stay ordered. */
export const TOPICS = {
  order: 'order.events',
  payment: 'payment.events',
  inventory: 'inventory.events',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

export const ALL_TOPICS: readonly Topic[] = Object.values(TOPICS);

/** Dead-letter topic for a message that keeps failing in a consumer. */
export function dlqTopic(topic: Topic): string {
  return `${topic}.dlq`;
}
