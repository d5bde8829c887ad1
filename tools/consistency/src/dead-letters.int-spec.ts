import { randomBytes, randomUUID } from 'node:crypto';
import { pollUntil, uniqueRedisPrefix } from '@shop/shared/testing';
import Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { checkConsistency } from './checker';
import { replayDeadLetter, REPLAYED_FROM_HEADER } from './dead-letter-replay';
import { createKafka, readDeadLetters } from './dead-letters';
import type { Report } from './report';
import { createTestWorld, type TestWorld } from './test-fixtures';

const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

/**
 * Rule dlq.unresolved and replay against the real broker, on topics of this file's own prefix
 * (the services' KAFKA_TOPIC_PREFIX): only order.events and its dead-letter topic exist under it,
 * so the checker must also skip the dead-letter topics that do not exist.
 */
describe('dead letters (real Kafka)', () => {
  const prefix = `t${randomBytes(4).toString('hex')}.`;
  const source = `${prefix}order.events`;
  const dlq = `${prefix}order.events.dlq`;
  const redisPrefix = uniqueRedisPrefix();
  let kafka: Kafka;
  let redis: Redis;
  let w: TestWorld;
  let nextOffset = 0;

  beforeAll(async () => {
    kafka = createKafka(BROKERS, 'consistency-test');
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    w = await createTestWorld();
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [
          { topic: source, numPartitions: 3, replicationFactor: 1 },
          { topic: dlq, numPartitions: 1, replicationFactor: 1 },
        ],
        waitForLeaders: true,
      });
    } finally {
      await admin.disconnect();
    }
  });
  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [source, dlq] }).catch(() => undefined);
    await admin.disconnect();
    await redis?.quit();
    await w?.drop();
  });

  const check = (extra: { redis?: boolean } = {}): Promise<Report> =>
    checkConsistency({
      ...w.options,
      kafka: { brokers: BROKERS, topicPrefix: prefix },
      ...(extra.redis ? { redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', keyPrefix: redisPrefix } } : {}),
    });
  const unresolved = (r: Report): unknown[] => r.violations.filter((v) => v.rule === 'dlq.unresolved').map((v) => v.ids);

  /** What a consumer does when it gives up: the original key and value, plus the x-dlq-* headers. */
  async function deadLetter(consumer: string): Promise<{ id: string; eventId: string; key: string; value: string }> {
    const eventId = randomUUID();
    const key = '1234567890123';
    const value = JSON.stringify({ eventId, type: 'OrderPaid', version: 1, aggregateId: key, payload: { orderSn: key } });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic: dlq,
      acks: -1,
      messages: [
        {
          key,
          value,
          headers: {
            'x-dlq-consumer': consumer,
            'x-dlq-error': 'stock row locked too long',
            'x-dlq-original-topic': source,
            'x-dlq-original-partition': '2',
            'x-dlq-original-offset': '41',
            'x-dlq-attempts': '5',
            'x-dlq-at': new Date().toISOString(),
          },
        },
      ],
    });
    await producer.disconnect();
    return { id: `${dlq}:0:${nextOffset++}`, eventId, key, value };
  }

  it('an empty dead-letter topic (and missing ones) read as no entries, at once', async () => {
    const report = await check();
    expect(report.violations).toEqual([]);
    expect(report.checked.dlqEntries).toBe(0);
  });

  it('dlq.unresolved until the failed consumer records the eventId in its inbox', async () => {
    const letter = await deadLetter('inventory.stock');
    expect(unresolved(await check())).toEqual([
      { id: letter.id, consumer: 'inventory.stock', eventId: letter.eventId, type: 'OrderPaid', error: 'stock row locked too long' },
    ]);
    // Another consumer's inbox is no proof.
    await w.order.query(`INSERT INTO inbox_events (consumer, event_id) VALUES ('order.payments', $1)`, [letter.eventId]);
    expect(unresolved(await check())).toHaveLength(1);
    await w.inventory.query(`INSERT INTO inbox_events (consumer, event_id) VALUES ('inventory.stock', $1)`, [letter.eventId]);
    const report = await check();
    expect(report.violations).toEqual([]);
    expect(report.checked.dlqEntries).toBe(1);
  });

  it("cart's inbox is a Redis key: unresolved without Redis or without the key, resolved with it", async () => {
    const letter = await deadLetter('cart.ordered-items');
    expect(unresolved(await check())).toEqual([expect.objectContaining({ id: letter.id })]);
    expect(unresolved(await check({ redis: true }))).toEqual([expect.objectContaining({ id: letter.id })]);
    await redis.set(`${redisPrefix}inbox:cart.ordered-items:${letter.eventId}`, '1', 'EX', 600);
    expect(unresolved(await check({ redis: true }))).toEqual([]);
  });

  it('replay puts the original key and value back on the original topic and partition, marked with its origin', async () => {
    const letter = await deadLetter('payment.refunds');
    const entry = (await readDeadLetters(kafka, [dlq])).find((e) => e.id === letter.id);
    expect(entry).toMatchObject({ consumer: 'payment.refunds', originalTopic: source, originalPartition: 2, attempts: 5 });
    const to = await replayDeadLetter(kafka, entry!);
    expect(to).toMatchObject({ topic: source, partition: 2 });
    const replayed = (await readDeadLetters(kafka, [source])).filter((m) => m.headers[REPLAYED_FROM_HEADER] === letter.id);
    expect(replayed).toEqual([expect.objectContaining({ partition: 2, key: letter.key, value: letter.value })]);
    expect(Object.keys(replayed[0].headers).filter((h) => h.startsWith('x-dlq-'))).toEqual([]);
  });

  it('dlq.unreadable, within the timeout, when Kafka cannot be reached', async () => {
    const started = Date.now();
    const report = await checkConsistency({ ...w.options, kafka: { brokers: '127.0.0.1:1', topicPrefix: prefix }, kafkaTimeoutMs: 3000 });
    expect(report.violations.map((v) => v.rule)).toEqual(['dlq.unreadable']);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('leaves no consumer group of its own behind', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const ours = async (): Promise<string[]> =>
      (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.startsWith('consistency-'));
    try {
      const before = new Set(await ours());
      await deadLetter('inventory.stock'); // a non-empty topic, so that a group is really joined
      await check();
      // Group deletion may lag on some brokers: poll, do not sleep.
      await pollUntil(async () => (await ours()).every((id) => before.has(id)), {
        timeoutMs: 5000,
        what: 'the checker to delete its consumer group',
      });
    } finally {
      await admin.disconnect();
    }
  });
});
