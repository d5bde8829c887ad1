import { createKafka } from '@shop/shared/nest';
import { createEvent, TOPICS } from '@shop/shared';
import { pollUntil, uniqueName } from '@shop/shared/testing';
import pino from 'pino';

/** kafkajs against the broker the project provisions: idempotent produce with acks=all, then consume. */
describe('Kafka (real broker)', () => {
  const kafka = createKafka('kafka-int-test', process.env.KAFKA_BROKERS ?? '127.0.0.1:9092', pino({ level: 'silent' }));

  it('produces an event envelope with the idempotent producer and consumes it back, keyed by orderSn', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const consumer = kafka.consumer({ groupId: uniqueName('kafka-int') });
    const orderSn = String(Date.now()) + '123';
    const event = createEvent(
      'StockReleased',
      orderSn,
      { orderSn, items: [{ skuId: 1, quantity: 2 }] },
      { correlationId: uniqueName('c') },
    );
    const received: Array<{ key: string; value: unknown; partition: number }> = [];
    try {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topic: TOPICS.inventory, fromBeginning: false });
      await consumer.run({
        eachMessage: async ({ message, partition }) => {
          if (message.key?.toString() === orderSn) {
            received.push({ key: message.key.toString(), value: JSON.parse(message.value!.toString()), partition });
          }
        },
      });
      // Produce until the freshly joined consumer sees our key (it starts from the latest offset).
      await pollUntil(
        async () => {
          await producer.send({ topic: TOPICS.inventory, acks: -1, messages: [{ key: orderSn, value: JSON.stringify(event) }] });
          return received.length > 0;
        },
        { timeoutMs: 30000, intervalMs: 500, what: 'the produced event to be consumed' },
      );
      expect(received[0].value).toEqual(event);
      expect(new Set(received.map((r) => r.partition)).size).toBe(1); // same key → same partition
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });

  it('has the topics of SPEC §8 and their dead-letter topics', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      for (const t of Object.values(TOPICS)) {
        expect(topics).toEqual(expect.arrayContaining([t, `${t}.dlq`]));
      }
    } finally {
      await admin.disconnect();
    }
  });
});
