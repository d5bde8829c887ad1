/**
 * Replay puts a dead letter's original key and value back on its original topic. Every consumer
 * dedupes by eventId in its inbox, so those that applied it already do nothing and the one that
 * failed applies it once: a replay is always safe to repeat.
 */
import { Partitioners, type Kafka, type RecordMetadata } from 'kafkajs';
import { DLQ_HEADERS, type DeadLetter } from './dead-letters';

export const REPLAYED_FROM_HEADER = 'x-replayed-from';

export interface ReplayResult {
  topic: string;
  partition: number;
  offset: string;
}

export async function replayDeadLetter(kafka: Kafka, entry: DeadLetter): Promise<ReplayResult> {
  const topic = entry.originalTopic;
  if (!topic) {
    throw new Error(`${entry.id} has no ${DLQ_HEADERS.originalTopic} header: its original topic is unknown`);
  }
  if (topic === entry.topic) {
    throw new Error(`${entry.id} names its own dead-letter topic as its origin; refusing to loop it`);
  }
  // Same settings as the outbox relay (SPEC §8): idempotent, all replicas acknowledging.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const [meta] = await producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: entry.key,
          value: entry.value,
          // The original partition keeps the replay in line with the order's other events,
          // whichever partitioner the relay used.
          ...(entry.originalPartition !== null ? { partition: entry.originalPartition } : {}),
          headers: { ...originalHeaders(entry.headers), [REPLAYED_FROM_HEADER]: entry.id },
        },
      ],
    });
    return toResult(topic, meta);
  } finally {
    await producer.disconnect();
  }
}

/** Headers the message carried besides the DLQ's own bookkeeping (e.g. a correlation id) go with it. */
function originalHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith('x-dlq-') && k !== REPLAYED_FROM_HEADER));
}

function toResult(topic: string, meta: RecordMetadata | undefined): ReplayResult {
  return { topic, partition: meta?.partition ?? -1, offset: meta?.baseOffset ?? meta?.offset ?? '?' };
}
