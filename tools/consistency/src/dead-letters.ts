/**
 * Dead letters (SPEC §8): a message a consumer gave up on, parked on `<topic>.dlq` with the
 * original key and value and `x-dlq-*` headers saying who failed, why, and where it came from.
 * Reading them is shared by the checker (rule dlq.unresolved) and the dlq tool.
 */
import { randomBytes } from 'node:crypto';
import { ALL_TOPICS, dlqTopic, withTimeout } from '@shop/shared';
import { Kafka, logLevel, type Admin, type Batch, type Consumer, type IHeaders, type KafkaMessage } from 'kafkajs';
import { DEFAULT_KAFKA_TIMEOUT_MS } from './report';

export const DLQ_HEADERS = {
  consumer: 'x-dlq-consumer',
  error: 'x-dlq-error',
  originalTopic: 'x-dlq-original-topic',
  originalPartition: 'x-dlq-original-partition',
  originalOffset: 'x-dlq-original-offset',
  attempts: 'x-dlq-attempts',
  at: 'x-dlq-at',
} as const;

export interface DeadLetter {
  /** `<dlq-topic>:<partition>:<offset>`, the id the dlq tool takes. */
  id: string;
  topic: string;
  partition: number;
  offset: string;
  /** Key and value as UTF-8 text: this system's keys are orderSns and its values JSON envelopes. */
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  /** The parsed value, or null when it is not JSON. */
  envelope: unknown;
  eventId: string | null;
  type: string | null;
  consumer: string | null;
  error: string | null;
  originalTopic: string | null;
  originalPartition: number | null;
  originalOffset: string | null;
  attempts: number | null;
  at: string | null;
}

export function dlqTopics(topicPrefix: string): string[] {
  return ALL_TOPICS.map((t) => `${topicPrefix}${dlqTopic(t)}`);
}

/** Kafka topic names hold no ':', so the last two fields are always partition and offset. */
export function parseDeadLetterId(id: string): { topic: string; partition: number; offset: string } | null {
  const m = /^(.+):(\d+):(\d+)$/.exec(id);
  return m ? { topic: m[1], partition: Number(m[2]), offset: m[3] } : null;
}

export function createKafka(brokers: string, clientId = 'consistency-checker'): Kafka {
  return new Kafka({
    clientId,
    brokers: brokers.split(',').map((b) => b.trim()),
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 2, initialRetryTime: 200 },
    // Failures surface as errors (dlq.unreadable, exit codes); kafkajs's own logs would only clutter the report.
    logLevel: logLevel.NOTHING,
  });
}

/**
 * Every message of `topics` up to the high watermarks seen at the start (later arrivals belong to
 * the next run). A topic that does not exist is skipped. Reads in a throw-away consumer group that
 * is deleted afterwards, and gives up after `timeoutMs` rather than hang on a sick broker.
 */
export async function readDeadLetters(
  kafka: Kafka,
  topics: readonly string[],
  timeoutMs = DEFAULT_KAFKA_TIMEOUT_MS,
): Promise<DeadLetter[]> {
  const admin = kafka.admin();
  const groupId = `consistency-${randomBytes(6).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, retry: { retries: 2 } });
  let joined = false;
  try {
    return await withTimeout(
      (async () => {
        await admin.connect();
        const ends = await endOffsets(admin, topics);
        if (ends.size === 0) {
          return [];
        }
        joined = true;
        return await consumeUntil(consumer, ends);
      })(),
      timeoutMs,
      `reading ${topics.join(', ')}`,
    );
  } finally {
    await consumer.disconnect().catch(() => undefined);
    if (joined) {
      // Best effort: a leftover empty group expires on its own; it only clutters the group list.
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    await admin.disconnect().catch(() => undefined);
  }
}

/** topic → partition → high watermark, for the partitions that hold anything. */
type EndOffsets = Map<string, Map<number, bigint>>;

async function endOffsets(admin: Admin, topics: readonly string[]): Promise<EndOffsets> {
  const existing = new Set(await admin.listTopics());
  const ends: EndOffsets = new Map();
  for (const topic of topics.filter((t) => existing.has(t))) {
    const partitions = new Map<number, bigint>();
    for (const p of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(p.high) > BigInt(p.low)) {
        partitions.set(p.partition, BigInt(p.high));
      }
    }
    if (partitions.size > 0) {
      ends.set(topic, partitions);
    }
  }
  return ends;
}

async function consumeUntil(consumer: Consumer, ends: EndOffsets): Promise<DeadLetter[]> {
  const out: DeadLetter[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [...ends.keys()], fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
    const eachBatch = async ({ batch }: { batch: Batch }): Promise<void> => {
      const partitions = ends.get(batch.topic);
      const end = partitions?.get(batch.partition);
      if (partitions === undefined || end === undefined) {
        return; // a partition already read to its end: what came later is for the next run
      }
      for (const m of batch.messages.filter((x) => BigInt(x.offset) < end)) {
        out.push(toDeadLetter(batch.topic, batch.partition, m));
      }
      // lastOffset() also counts control records, so a partition ending in one still completes.
      if (BigInt(batch.lastOffset()) + 1n >= end) {
        partitions.delete(batch.partition);
        if (partitions.size === 0) {
          ends.delete(batch.topic);
        }
        if (ends.size === 0) {
          resolve();
        }
      }
    };
    consumer.run({ autoCommit: false, eachBatch }).catch(reject);
  });
  return out.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
}

function toDeadLetter(topic: string, partition: number, m: KafkaMessage): DeadLetter {
  const headers = headerStrings(m.headers);
  const value = m.value?.toString('utf8') ?? null;
  const envelope = parseJson(value);
  const field = (name: string): string | null => {
    const v = (envelope as Record<string, unknown> | null)?.[name];
    return typeof v === 'string' ? v : null;
  };
  const num = (h: string | undefined): number | null => (h !== undefined && /^\d+$/.test(h) ? Number(h) : null);
  return {
    id: `${topic}:${partition}:${m.offset}`,
    topic,
    partition,
    offset: m.offset,
    key: m.key?.toString('utf8') ?? null,
    value,
    headers,
    envelope,
    eventId: field('eventId'),
    type: field('type'),
    consumer: headers[DLQ_HEADERS.consumer] ?? null,
    error: headers[DLQ_HEADERS.error] ?? null,
    originalTopic: headers[DLQ_HEADERS.originalTopic] ?? null,
    originalPartition: num(headers[DLQ_HEADERS.originalPartition]),
    originalOffset: headers[DLQ_HEADERS.originalOffset] ?? null,
    attempts: num(headers[DLQ_HEADERS.attempts]),
    at: headers[DLQ_HEADERS.at] ?? null,
  };
}

function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) {
      out[k] = first.toString();
    }
  }
  return out;
}

function parseJson(text: string | null): unknown {
  if (text === null) {
    return null;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
