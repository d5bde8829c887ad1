#!/usr/bin/env node
/**
 * Benchmark 5 (issue 8): the event pipeline on its own, not bounded by any HTTP endpoint — the ONE
 * outbox relay and the ONE event consumer of packages/shared, exactly as the services run them, on
 * a scratch database migrated like the inventory's (its outbox and inbox tables) and on fresh Kafka
 * topics. Needs PostgreSQL and Kafka (npm run infra:up), not the services.
 *
 *  - burst: N events committed in one transaction; events per second from that COMMIT to the last
 *    consumer effect committed (outbox → relay → Kafka → consumer → inbox + effect in one tx);
 *  - steady: events committed one per transaction at a fixed arrival rate (open loop) for S seconds;
 *    lag p50/p99/max from each event's COMMIT to its effect's COMMIT;
 *  - baseline, in the same run: the same number of messages straight through kafkajs (batched
 *    acks=all sends, a consumer that only counts them), i.e. what the broker and client give on this
 *    machine with no database on either side. The burst is reported as a fraction of it.
 */
import { createEvent, TOPICS } from '@shop/shared';
import { migrate } from '@shop/shared/db';
import {
  createIdempotentProducer,
  createKafka,
  EventConsumer,
  Failpoints,
  Metrics,
  OutboxRelay,
  TransactionalInbox,
} from '@shop/shared/nest';
import { createTestTopics } from '@shop/shared/testing';
import { loadEnv } from '@shop/consistency';
import { InventoryPrisma, InventoryTx } from '@shop/inventory/dist/infrastructure/prisma/inventory-prisma.service';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import pino from 'pino';
import { percentile } from './latency';
import { createScratchDb } from './scratch-db';

const USAGE =
  'usage: npm run bench:relay -- [--events 20000] [--rate 500] [--seconds 20] [--consumer-batch 1,50] [--json FILE]  (needs PostgreSQL and Kafka: npm run infra:up)';
const MIGRATIONS = path.join(__dirname, '..', '..', '..', 'services', 'inventory', 'prisma', 'migrations');
const CONSUMER = 'bench.relay';

export interface RelayRun {
  /** Events per inbox transaction (EventConsumerOptions.batchSize). */
  consumerBatch: number;
  burst: { events: number; seconds: number; eventsPerSecond: number; lagP50Ms: number; lagP99Ms: number };
  steady: { rate: number; seconds: number; events: number; achievedRate: number; lagP50Ms: number; lagP99Ms: number; lagMaxMs: number };
}

export interface RelayResult {
  date: string;
  machine: { cpus: number; cpu: string; node: string };
  runs: RelayRun[];
  baseline: { messages: number; seconds: number; messagesPerSecond: number };
  /** The best run's burst rate / the baseline. */
  burstToBaseline: number;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '20000' },
      rate: { type: 'string', default: '500' },
      seconds: { type: 'string', default: '20' },
      'consumer-batch': { type: 'string', default: '1,50' },
      json: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const [events, rate, seconds] = [Number(values.events), Number(values.rate), Number(values.seconds)];
  if (values.help || ![events, rate, seconds].every((n) => Number.isInteger(n) && n > 0)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const batchSizes = values['consumer-batch'].split(',').map(Number);
  if (batchSizes.some((n) => !Number.isInteger(n) || n < 1 || n > 500)) {
    console.log(USAGE);
    return 2;
  }
  const env = await loadEnv();
  const logger = pino({ level: process.env.BENCH_DEBUG ?? 'warn' });
  const kafka = createKafka('bench-relay', env.kafkaBrokers, logger);
  const runs: RelayRun[] = [];
  for (const batchSize of batchSizes) {
    process.stderr.write(`consumer with ${batchSize} event(s) per inbox transaction:\n`);
    runs.push(await measure(env, kafka, logger, batchSize, events, rate, seconds));
  }
  process.stderr.write(`baseline: ${events} messages straight through kafkajs …\n`);
  const baseline = await kafkaBaseline(kafka, `bench${Date.now().toString(36)}.baseline`, events);
  const best = Math.max(...runs.map((r) => r.burst.eventsPerSecond));
  const result: RelayResult = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
    runs,
    baseline,
    burstToBaseline: round(best / baseline.messagesPerSecond, 3),
  };
  console.log(formatRelay(result));
  if (values.json) {
    writeFileSync(values.json, JSON.stringify(result, null, 2));
  }
  return 0;
}

/** One configuration on its own scratch database and topics: warm-up, burst, steady. */
async function measure(
  env: Awaited<ReturnType<typeof loadEnv>>,
  kafka: ReturnType<typeof createKafka>,
  logger: pino.Logger,
  batchSize: number,
  events: number,
  rate: number,
  seconds: number,
): Promise<RelayRun> {
  const db = await createScratchDb(env.inventoryDatabaseUrl);
  const topics = await createTestTopics(env.kafkaBrokers, `bench${Date.now().toString(36)}.`);
  const prisma = new InventoryPrisma(db.url);
  const pg = new Pool({ connectionString: db.url, max: 8 });
  const relay = new OutboxRelay(
    kafka,
    { service: 'bench', databaseUrl: db.url, topicPrefix: topics.prefix, pollIntervalMs: 50 },
    logger,
    new Metrics('bench'),
  );
  // The consumer exactly as a service builds it: the real transactional inbox, and an effect written
  // through the ambient transaction (one row, stamped with the clock inside that transaction).
  const tx = new InventoryTx(prisma);
  const consumer = new EventConsumer(
    kafka,
    {
      name: CONSUMER,
      topics: [TOPICS.inventory],
      topicPrefix: topics.prefix,
      maxAttempts: 3,
      retryBaseMs: 50,
      batchSize,
      inbox: new TransactionalInbox(tx),
      handlers: {
        StockReleased: async (e) => {
          await tx.client.$executeRawUnsafe(
            'INSERT INTO bench_effects (event_id, done_at) VALUES ($1::uuid, clock_timestamp())',
            e.eventId,
          );
          return 'APPLIED';
        },
      },
    },
    logger,
    new Metrics('bench'),
    new Failpoints(''),
  );
  try {
    await migrate(db.url, MIGRATIONS);
    await pg.query(
      'CREATE TABLE bench_effects (event_id uuid PRIMARY KEY, done_at timestamptz NOT NULL); ' +
        'CREATE TABLE bench_commits (event_id uuid PRIMARY KEY, committed_at timestamptz NOT NULL)',
    );
    relay.start();
    consumer.startInBackground();
    process.stderr.write('  warming up …\n');
    await commitEvents(pg, 200);
    await waitForEffects(pg, 200, 60000);
    process.stderr.write(`  burst: ${events} events in one transaction …\n`);
    const before = await effectCount(pg);
    const { committedAt } = await commitEvents(pg, events);
    await waitForEffects(pg, before + events, 300000);
    const burst = await burstFigures(pg, committedAt, events);
    process.stderr.write(`  steady: ${rate} events/s for ${seconds} s, one per transaction …\n`);
    const steady = await steadyRun(pg, rate, seconds);
    return { consumerBatch: batchSize, burst, steady };
  } finally {
    await consumer.stop().catch(() => undefined);
    await relay.stop().catch(() => undefined);
    await prisma.$disconnect();
    await pg.end();
    await db.drop();
    await topics.drop();
  }
}

/** `n` StockReleased rows in ONE transaction; each row's commit time is recorded in `bench_commits` after it. */
async function commitEvents(pg: Pool, n: number): Promise<{ committedAt: number }> {
  const c = await pg.connect();
  try {
    const rows = Array.from({ length: n }, (_, i) => {
      const sn = String(1_000_000_000 + i);
      return createEvent('StockReleased', sn, { orderSn: sn, items: [{ skuId: 1, quantity: 1 }] }, { correlationId: 'bench' });
    });
    await c.query('BEGIN');
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000);
      await c.query(
        `INSERT INTO outbox_events (event_id, topic, message_key, type, envelope)
         SELECT e.event_id, $2, e.message_key, 'StockReleased', e.envelope
           FROM jsonb_to_recordset($1::jsonb) AS e(event_id uuid, message_key text, envelope jsonb)`,
        [JSON.stringify(chunk.map((e) => ({ event_id: e.eventId, message_key: e.aggregateId, envelope: e }))), TOPICS.inventory],
      );
    }
    await c.query('COMMIT');
    const committedAt = Date.now();
    await c.query(
      'INSERT INTO bench_commits (event_id, committed_at) SELECT (e->>0)::uuid, to_timestamp($2 / 1000.0) FROM jsonb_array_elements($1::jsonb) e',
      [JSON.stringify(rows.map((e) => [e.eventId])), committedAt],
    );
    return { committedAt };
  } finally {
    c.release();
  }
}

async function effectCount(pg: Pool): Promise<number> {
  return (await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM bench_effects')).rows[0].n;
}

async function waitForEffects(pg: Pool, n: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = await effectCount(pg);
    if (done >= n) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`only ${done} of ${n} effects after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 100)); // poll interval, bounded by the deadline
  }
}

/** Per-event lag (effect commit − event commit) over the events committed since `sinceMs`. */
async function lags(pg: Pool, sinceMs: number): Promise<number[]> {
  const { rows } = await pg.query<{ ms: number }>(
    `SELECT extract(epoch FROM (f.done_at - c.committed_at)) * 1000 AS ms
       FROM bench_commits c JOIN bench_effects f USING (event_id)
      WHERE c.committed_at >= to_timestamp($1 / 1000.0) ORDER BY 1`,
    [sinceMs],
  );
  return rows.map((r) => Number(r.ms));
}

async function burstFigures(pg: Pool, committedAt: number, events: number): Promise<RelayRun['burst']> {
  const l = await lags(pg, committedAt);
  const seconds = l[l.length - 1] / 1000;
  return {
    events,
    seconds: round(seconds, 2),
    eventsPerSecond: Math.round(events / seconds),
    lagP50Ms: round(percentile(l, 50)),
    lagP99Ms: round(percentile(l, 99)),
  };
}

/** Open loop: one single-event transaction every 1/rate s (several in flight when the database lags), for `seconds`. */
async function steadyRun(pg: Pool, rate: number, seconds: number): Promise<RelayRun['steady']> {
  const start = Date.now();
  const before = await effectCount(pg);
  const inflight = new Set<Promise<unknown>>();
  let sent = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const due = Math.floor(((performance.now() - t0) / 1000) * rate);
    while (sent < due) {
      sent++;
      const p = commitEvents(pg, 1).finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await new Promise((r) => setTimeout(r, 2)); // the arrival clock's tick
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - t0) / 1000;
  await waitForEffects(pg, before + sent, 120000);
  const l = await lags(pg, start);
  return {
    rate,
    seconds,
    events: sent,
    achievedRate: Math.round(sent / elapsed),
    lagP50Ms: round(percentile(l, 50)),
    lagP99Ms: round(percentile(l, 99)),
    lagMaxMs: round(l[l.length - 1]),
  };
}

/** The broker and client alone: `n` messages in batches of 500 (acks=all, idempotent), counted by a plain consumer. */
async function kafkaBaseline(kafka: ReturnType<typeof createKafka>, topic: string, n: number): Promise<RelayResult['baseline']> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = createIdempotentProducer(kafka); // the relay's own producer settings
  const consumer = kafka.consumer({ groupId: `${topic}.reader` });
  await Promise.all([producer.connect(), consumer.connect()]);
  let seen = 0;
  let allSeen!: () => void;
  const done = new Promise<void>((r) => (allSeen = r));
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch }) => {
      seen += batch.messages.length;
      if (seen >= n) {
        allSeen();
      }
    },
  });
  const value = JSON.stringify(
    createEvent('StockReleased', '1', { orderSn: '1', items: [{ skuId: 1, quantity: 1 }] }, { correlationId: 'bench' }),
  );
  const t0 = performance.now();
  for (let i = 0; i < n; i += 500) {
    const messages = Array.from({ length: Math.min(500, n - i) }, (_, j) => ({ key: String(1_000_000_000 + i + j), value }));
    await producer.sendBatch({ topicMessages: [{ topic, messages }], acks: -1 });
  }
  await done;
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all([producer.disconnect(), consumer.disconnect()]);
  return { messages: n, seconds: round(seconds, 2), messagesPerSecond: Math.round(n / seconds) };
}

export function formatRelay(r: RelayResult): string {
  return [
    `relay (outbox → Kafka → consumer inbox + effect), ${r.machine.cpus} cores, ${r.date}`,
    ...r.runs.flatMap((run) => [
      `  consumer ${run.consumerBatch} event(s) per inbox transaction:`,
      `    burst  ${run.burst.events} events in one commit: ${run.burst.eventsPerSecond} events/s (${run.burst.seconds} s), lag p50 ${run.burst.lagP50Ms} ms p99 ${run.burst.lagP99Ms} ms`,
      `    steady ${run.steady.rate}/s for ${run.steady.seconds} s (achieved ${run.steady.achievedRate}/s, ${run.steady.events} events): lag p50 ${run.steady.lagP50Ms} ms p99 ${run.steady.lagP99Ms} ms max ${run.steady.lagMaxMs} ms`,
    ]),
    `  baseline kafkajs alone: ${r.baseline.messagesPerSecond} messages/s (${r.baseline.messages} in ${r.baseline.seconds} s)`,
    `  best burst / baseline: ${r.burstToBaseline}`,
  ].join('\n');
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`bench:relay: ${(err as Error).stack ?? String(err)}`);
      process.exit(2);
    },
  );
}
