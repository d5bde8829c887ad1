import { createEvent, DomainEvent, TOPICS, UpstreamUnavailableError } from '@shop/shared';
import { createKafka, EventConsumer, Failpoints, Metrics, OutboxRelay, TransactionalInbox } from '@shop/shared/nest';
import { InventoryPrisma, InventoryTx } from '../../services/inventory/src/infrastructure/prisma/inventory-prisma.service';
import { createTestDatabase, createTestTopics, pollUntil } from '@shop/shared/testing';
import type { Consumer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import pino from 'pino';

const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const logger = pino({ level: process.env.RELAY_DEBUG ?? 'silent' });

/**
 * The shared relay and consumer against the real PostgreSQL and Kafka, without any service:
 * rows of a rolled-back transaction are never sent, committed ones always are, several relays on
 * one database neither lose nor reorder a key's events, and the consumer's inbox and dead-letter
 * topic behave as SPEC §8 says.
 */
describe('outbox relay and event consumer (shared)', () => {
  const kafka = createKafka('relay-test', BROKERS, logger);
  let db: { url: string; drop: () => Promise<void> };
  let topics: { prefix: string; drop: () => Promise<void> };
  let pg: Client;
  beforeAll(async () => {
    db = await createTestDatabase('INVENTORY');
    topics = await createTestTopics(BROKERS);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await db.drop();
    await topics.drop();
  });

  const relay = (): OutboxRelay =>
    new OutboxRelay(
      kafka,
      { service: 'inventory', databaseUrl: db.url, topicPrefix: topics.prefix, pollIntervalMs: 20, batchSize: 7 },
      logger,
      new Metrics('t'),
    );
  const insertRow = async (client: Client, orderSn: string, seq: number): Promise<DomainEvent> => {
    const e = createEvent('StockReleased', orderSn, { orderSn, items: [{ skuId: seq, quantity: 1 }] }, { correlationId: 'c' });
    await client.query('INSERT INTO outbox_events (event_id, topic, message_key, type, envelope) VALUES ($1, $2, $3, $4, $5)', [
      e.eventId,
      TOPICS.inventory,
      orderSn,
      e.type,
      JSON.stringify(e),
    ]);
    return e;
  };
  const collect = async (
    topic: string,
  ): Promise<{ consumer: Consumer; seen: Array<{ key: string; eventId: string; partition: number }> }> => {
    const consumer = kafka.consumer({ groupId: `${topics.prefix}reader-${randomUUID()}` });
    const seen: Array<{ key: string; eventId: string; partition: number }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic: `${topics.prefix}${topic}`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        let eventId = 'unparseable';
        try {
          eventId = (JSON.parse(message.value!.toString()) as DomainEvent).eventId;
        } catch {
          // a poison message, kept as such
        }
        seen.push({ key: message.key!.toString(), eventId, partition });
      },
    });
    return { consumer, seen };
  };

  it('publishes committed rows only — a rolled-back transaction sends nothing — and two relays keep each key in order', async () => {
    const reader = await collect(TOPICS.inventory);
    const relays = [relay(), relay()];
    relays.forEach((r) => r.start());
    try {
      const rolledBack = new Client({ connectionString: db.url });
      await rolledBack.connect();
      await rolledBack.query('BEGIN');
      const ghost = await insertRow(rolledBack, '999', 0);
      // 8 orders × 6 events, written by concurrent writers in separate transactions, per key in sequence.
      const expected = new Map<string, string[]>();
      await Promise.all(
        Array.from({ length: 8 }, async (_, o) => {
          const c = new Client({ connectionString: db.url });
          await c.connect();
          const sn = String(1000 + o);
          for (let i = 0; i < 6; i++) {
            const e = await insertRow(c, sn, i);
            expected.set(sn, [...(expected.get(sn) ?? []), e.eventId]);
          }
          await c.end();
        }),
      );
      await rolledBack.query('ROLLBACK');
      await rolledBack.end();
      await pollUntil(
        async () => (await pg.query('SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL')).rows[0].n === 0,
        {
          timeoutMs: 20000,
          what: 'both relays to publish everything',
        },
      );
      await pollUntil(() => new Set(reader.seen.map((s) => s.eventId)).size >= 48, { timeoutMs: 20000, what: 'all 48 events to arrive' });
      expect(reader.seen.some((s) => s.eventId === ghost.eventId)).toBe(false);
      for (const [sn, ids] of expected) {
        const ofKey = reader.seen.filter((s) => s.key === sn);
        expect(new Set(ofKey.map((s) => s.partition)).size).toBe(1); // one key, one partition
        const firstSeen = [...new Set(ofKey.map((s) => s.eventId))];
        expect(firstSeen).toEqual(ids);
      }
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      await reader.consumer.disconnect();
    }
  });

  it('vacuums the outbox table itself after every vacuumAfterRows published rows: the dead index entries of published rows do not pile up (autovacuum may be off)', async () => {
    const vacuumsBefore = await vacuumCount();
    const r = new OutboxRelay(
      kafka,
      { service: 'inventory', databaseUrl: db.url, topicPrefix: topics.prefix, pollIntervalMs: 20, batchSize: 50, vacuumAfterRows: 100 },
      logger,
      new Metrics('t'),
    );
    r.start();
    try {
      for (let i = 0; i < 120; i++) {
        await insertRow(pg, String(5000 + i), i);
      }
      await pollUntil(() => r.vacuums >= 1, { timeoutMs: 20000, what: 'the relay to vacuum after 100 published rows' });
      await pollUntil(async () => (await vacuumCount()) > vacuumsBefore, { timeoutMs: 10000, what: 'PostgreSQL to count that VACUUM' });
      // After the relay's VACUUM, no published row of that batch is left dead in the table.
      const { rows } = await pg.query<{ dead: string }>(
        `SELECT n_dead_tup AS dead FROM pg_stat_user_tables WHERE relname = 'outbox_events'`,
      );
      expect(Number(rows[0].dead)).toBeLessThan(120);
    } finally {
      await r.stop();
    }
    expect(r.vacuums).toBe(1); // 120 rows: one threshold crossed, not one VACUUM per batch
  });

  const vacuumCount = async (): Promise<number> =>
    Number((await pg.query<{ n: string }>(`SELECT vacuum_count AS n FROM pg_stat_user_tables WHERE relname = 'outbox_events'`)).rows[0].n);

  it('consumer: a redelivered event is a DUPLICATE with no second effect; a poison event goes to the DLQ and the consumer moves on', async () => {
    const applied: string[] = [];
    // The real transactional inbox, on this test's database: the handler's effect is recorded in `applied`.
    const prisma = new InventoryPrisma(db.url);
    const inbox = new TransactionalInbox(new InventoryTx(prisma));
    const metrics = new Metrics('t');
    const consumer = new EventConsumer(
      kafka,
      {
        name: 'test.consumer',
        topics: [TOPICS.payment],
        topicPrefix: topics.prefix,
        maxAttempts: 3,
        retryBaseMs: 10,
        inbox,
        handlers: {
          PaymentRefunded: async (e) => {
            if (e.payload.orderSn === '666') {
              throw new Error('refusing order 666');
            }
            applied.push(e.eventId);
            return 'APPLIED';
          },
        },
      },
      logger,
      metrics,
      new Failpoints(''),
    );
    const dlq = await collect(`${TOPICS.payment}.dlq`);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    consumer.startInBackground();
    try {
      const ev = (sn: string) =>
        createEvent('PaymentRefunded', sn, { orderSn: sn, amount: 1, outRequestNo: `r-${sn}` }, { correlationId: 'c' });
      const [good, poison, after] = [ev('1'), ev('666'), ev('2')];
      const send = (e: DomainEvent | string) =>
        producer.send({
          topic: `${topics.prefix}${TOPICS.payment}`,
          acks: -1,
          messages: [{ key: '1', value: typeof e === 'string' ? e : JSON.stringify(e) }],
        });
      await send(good);
      await send(good); // redelivery
      await send(poison);
      await send('not json at all');
      await send(after);
      await pollUntil(() => applied.includes(after.eventId), { timeoutMs: 30000, what: 'the event after the poison one' });
      expect(applied).toEqual([good.eventId, after.eventId]);
      await pollUntil(() => dlq.seen.length === 2, { timeoutMs: 10000, what: 'two dead letters' });
      const text = await metrics.registry.getSingleMetricAsString('consumer_events_total');
      expect(text).toMatch(/type="PaymentRefunded",outcome="duplicate"[^}]*} 1\n/);
      expect(text).toMatch(/type="PaymentRefunded",outcome="dead_lettered"[^}]*} 1\n/);
      expect(text).toMatch(/type="unparseable",outcome="dead_lettered"[^}]*} 1(\n|$)/);
      const inboxRows = await pg.query("SELECT event_id::text FROM inbox_events WHERE consumer = 'test.consumer' ORDER BY processed_at");
      expect(inboxRows.rows.map((r) => r.event_id)).toEqual([good.eventId, after.eventId]);
    } finally {
      await consumer.stop();
      await prisma.$disconnect();
      await producer.disconnect();
      await dlq.consumer.disconnect();
    }
  });
  it('waitOutUpstreamOutages: an outage is retried past the attempt limit (across a stop and a new member) until it clears, applied once; other errors still dead-letter', async () => {
    const prisma = new InventoryPrisma(db.url);
    const inbox = new TransactionalInbox(new InventoryTx(prisma));
    const metrics = new Metrics('t');
    let upstreamDown = true;
    const attempts = new Map<string, number>(); // by eventId
    const applied: string[] = [];
    const mine = new Set<string>(); // the topic holds the earlier tests' events too: those are ignored
    const member = () =>
      new EventConsumer(
        kafka,
        {
          name: 'test.outage',
          topics: [TOPICS.payment],
          topicPrefix: topics.prefix,
          maxAttempts: 2,
          retryBaseMs: 10,
          inbox,
          waitOutUpstreamOutages: true,
          handlers: {
            PaymentRefunded: async (e) => {
              if (!mine.has(e.eventId)) {
                return 'IGNORED';
              }
              attempts.set(e.eventId, (attempts.get(e.eventId) ?? 0) + 1);
              if (e.payload.orderSn === '666') {
                throw new Error('refused for good'); // not an outage: the attempt limit applies
              }
              if (upstreamDown) {
                throw new UpstreamUnavailableError('alipay');
              }
              applied.push(e.eventId);
              return 'APPLIED';
            },
          },
        },
        logger,
        metrics,
        new Failpoints(''),
      );
    const dlq = await collect(`${TOPICS.payment}.dlq`);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const ev = (sn: string) =>
      createEvent('PaymentRefunded', sn, { orderSn: sn, amount: 1, outRequestNo: `r-${sn}` }, { correlationId: 'c' });
    const send = (e: DomainEvent) => {
      mine.add(e.eventId);
      return producer.send({
        topic: `${topics.prefix}${TOPICS.payment}`,
        acks: -1,
        messages: [{ key: e.aggregateId, value: JSON.stringify(e) }],
      });
    };
    const first = member();
    let second: EventConsumer | undefined;
    try {
      first.startInBackground();
      const waiting = ev('41');
      await send(waiting);
      await pollUntil(() => (attempts.get(waiting.eventId) ?? 0) > 4, { timeoutMs: 30000, what: 'attempts past the limit of 2' });
      // Stopping cuts the wait short and leaves the offset: the event is not handled, not dead-lettered.
      const stopping = Date.now();
      await first.stop();
      expect(Date.now() - stopping).toBeLessThan(5000);
      const tried = attempts.get(waiting.eventId)!;
      second = member();
      second.startInBackground();
      await pollUntil(() => attempts.get(waiting.eventId)! > tried, {
        timeoutMs: 30000,
        what: 'the next member trying the same event again',
      });
      upstreamDown = false;
      await pollUntil(() => applied.includes(waiting.eventId), { timeoutMs: 30000, what: 'the event applied once the upstream is back' });
      const refused = ev('666');
      await send(refused);
      // Each delivery of it is tried maxAttempts (2) times, then dead-lettered (a rebalance may deliver it again).
      const deadLetters = () => dlq.seen.filter((d) => d.eventId === refused.eventId).length;
      await pollUntil(() => deadLetters() >= 1 && attempts.get(refused.eventId) === 2 * deadLetters(), {
        timeoutMs: 30000,
        what: 'the non-outage failure dead-lettered after 2 attempts per delivery',
      });
      expect(dlq.seen.filter((d) => d.eventId === waiting.eventId)).toEqual([]);
      expect(applied).toEqual([waiting.eventId]);
      const inboxRows = await pg.query(
        "SELECT event_id::text FROM inbox_events WHERE consumer = 'test.outage' AND event_id = ANY($1::uuid[])",
        [[...mine]],
      );
      expect(inboxRows.rows.map((r) => r.event_id)).toEqual([waiting.eventId]);
      const retries = await metrics.registry.getSingleMetricAsString('consumer_retries_total');
      expect(retries).toMatch(/reason="upstream_unavailable"[^}]*} \d+/);
    } finally {
      await first.stop();
      await second?.stop();
      await prisma.$disconnect();
      await producer.disconnect();
      await dlq.consumer.disconnect();
    }
  }, 90000);

  it('batched consumer: one shared inbox transaction per run of events; a poison event rolls the run back and its events are handled one by one, each once', async () => {
    await pg.query('CREATE TABLE IF NOT EXISTS test_effects (event_id uuid PRIMARY KEY)');
    const prisma = new InventoryPrisma(db.url);
    const tx = new InventoryTx(prisma);
    const metrics = new Metrics('t');
    const consumer = new EventConsumer(
      kafka,
      {
        name: 'test.batched',
        topics: [TOPICS.order],
        topicPrefix: topics.prefix,
        maxAttempts: 2,
        retryBaseMs: 10,
        batchSize: 50,
        inbox: new TransactionalInbox(tx),
        handlers: {
          OrderCancelled: async (e) => {
            // The effect is a row in the inbox's own transaction: a rolled-back run leaves none.
            await tx.client.$executeRawUnsafe('INSERT INTO test_effects (event_id) VALUES ($1::uuid)', e.eventId);
            if (e.payload.orderSn === '666') {
              throw new Error('refusing order 666');
            }
            return 'APPLIED';
          },
        },
      },
      logger,
      metrics,
      new Failpoints(''),
    );
    const dlq = await collect(`${TOPICS.order}.dlq`);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const ev = (sn: string) =>
      createEvent(
        'OrderCancelled',
        sn,
        { orderSn: sn, userId: 1, reason: 'USER', items: [{ skuId: 1, quantity: 1 }] },
        { correlationId: 'c' },
      );
    const [a, b, poison, c] = [ev('1'), ev('2'), ev('666'), ev('3')];
    const clean = Array.from({ length: 80 }, (_, i) => ev(String(100 + i)));
    // All in one partition, before the consumer starts: they arrive as one fetch batch.
    await producer.send({
      topic: `${topics.prefix}${TOPICS.order}`,
      acks: -1,
      messages: [a, b, a, poison, c, ...clean].map((e) => ({ key: 'k', value: JSON.stringify(e) })),
    });
    consumer.startInBackground();
    try {
      await pollUntil(async () => (await pg.query('SELECT count(*)::int AS n FROM test_effects')).rows[0].n === 83, {
        timeoutMs: 30000,
        what: 'the 83 good events applied',
      });
      await pollUntil(() => dlq.seen.some((d) => d.eventId === poison.eventId), {
        timeoutMs: 10000,
        what: 'the poison event dead-lettered',
      });
      const effects = await pg.query('SELECT event_id::text FROM test_effects ORDER BY event_id');
      expect(effects.rows.map((r) => r.event_id).sort()).toEqual([a, b, c, ...clean].map((e) => e.eventId).sort());
      const inbox = await pg.query("SELECT count(*)::int AS n FROM inbox_events WHERE consumer = 'test.batched'");
      expect(inbox.rows[0].n).toBe(83);
      // processed_at is the transaction's start time. The first run of 50 (with the poison event) was
      // redone one by one; the last 30 clean events came after it and shared one or two transactions.
      const txs = await pg.query(
        "SELECT count(DISTINCT processed_at)::int AS n FROM inbox_events WHERE consumer = 'test.batched' AND event_id = ANY($1::uuid[])",
        [clean.slice(-30).map((e) => e.eventId)],
      );
      expect(txs.rows[0].n).toBeLessThanOrEqual(3);
      const text = await metrics.registry.getSingleMetricAsString('consumer_events_total');
      expect(text).toMatch(/consumer="test.batched",type="OrderCancelled",outcome="applied"[^}]*} 83\n/);
      expect(text).toMatch(/consumer="test.batched",type="OrderCancelled",outcome="duplicate"[^}]*} 1\n/);
      expect(text).toMatch(/consumer="test.batched",type="OrderCancelled",outcome="dead_lettered"[^}]*} 1(\n|$)/);
    } finally {
      await consumer.stop();
      await prisma.$disconnect();
      await producer.disconnect();
      await dlq.consumer.disconnect();
    }
  });
});
