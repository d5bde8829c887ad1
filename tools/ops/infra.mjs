#!/usr/bin/env node
// `npm run infra:up` / `infra:down`: everything the services need outside themselves.
// up: PostgreSQL reachable + per-service databases created; Redis answers; a Kafka broker answers
//     (provisioned locally from Maven Central if absent) with our topics created. Idempotent.
// down: stops the Kafka broker this project started (PostgreSQL and Redis belong to the machine).
import { createRequire } from 'node:module';
import { ensureKafka, stopKafka } from './kafka.mjs';
import { resolveEnv, servicesWithDatabase } from './env.mjs';

const require = createRequire(import.meta.url);
const log = (msg) => console.log(`[infra] ${msg}`);

async function ensurePostgres(env) {
  const { ensureDatabase, redactUrl } = require('../../packages/shared/dist/db/index.js');
  for (const svc of servicesWithDatabase(env)) {
    const created = await ensureDatabase(svc.databaseUrl);
    log(`${svc.name}: database ${redactUrl(svc.databaseUrl)} ${created ? 'created' : 'present'}`);
  }
}

async function ensureRedis(env) {
  const Redis = require('ioredis');
  const redis = new Redis(env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
    log(`redis: ${env.REDIS_URL} answers`);
  } catch (err) {
    throw new Error(`Redis at ${env.REDIS_URL} does not answer: ${err.message}`);
  } finally {
    redis.disconnect();
  }
}

/** Waits for the broker to serve metadata, creates topics and proves a produce/consume round trip. */
async function waitForKafka(env, warmUp) {
  const { Kafka, logLevel } = require('kafkajs');
  // One list and one naming rule: shared/events/topics.ts.
  const { ALL_TOPICS: TOPICS, dlqTopic } = require('../../packages/shared/dist/index.js');
  const kafka = new Kafka({ clientId: 'infra', brokers: env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const deadline = Date.now() + 120000;
  let lastError;
  while (Date.now() < deadline) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      const topics = [
        ...TOPICS.map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })),
        ...TOPICS.map((topic) => ({ topic: dlqTopic(topic), numPartitions: 1, replicationFactor: 1 })),
        { topic: '_shop.infra-check', numPartitions: 1, replicationFactor: 1 },
      ];
      await admin.createTopics({ topics, waitForLeaders: true });
      await admin.disconnect();
      if (warmUp) await roundTrip(kafka);
      log(`kafka: ${env.KAFKA_BROKERS} ready, topics ${TOPICS.join(', ')} (+ .dlq)`);
      return;
    } catch (err) {
      lastError = err;
      await admin.disconnect().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  throw new Error(`Kafka at ${env.KAFKA_BROKERS} did not become ready: ${lastError?.message}`);
}

/** First start of a broker: make the idempotent-producer and group coordinators load now, not mid-test. */
async function roundTrip(kafka) {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: 'infra-check' });
  const value = `ping-${Date.now()}`;
  try {
    await producer.connect();
    await producer.send({ topic: '_shop.infra-check', acks: -1, messages: [{ value }] });
    await consumer.connect();
    await consumer.subscribe({ topic: '_shop.infra-check', fromBeginning: true });
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message consumed within 60 s')), 60000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            if (message.value?.toString() === value) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
  }
}

export async function infraUp(env = resolveEnv()) {
  await ensurePostgres(env);
  await ensureRedis(env);
  const { started } = await ensureKafka(env, log);
  await waitForKafka(env, started);
}

if (process.argv[1]?.endsWith('infra.mjs')) {
  const command = process.argv[2] ?? 'up';
  // `topics`: only create the topics on an existing broker (docker compose's kafka-init job), from
  // the one list in packages/shared/src/events/topics.ts.
  const commands = { up: () => infraUp(), down: () => stopKafka(resolveEnv(), log), topics: () => waitForKafka(resolveEnv(), false) };
  const run = commands[command];
  if (!run) {
    console.error(`[infra] unknown command ${command}: up | down | topics`);
    process.exit(2);
  }
  run().then(
    () => process.exit(0),
    (err) => {
      console.error(`[infra] ${err.message}`);
      process.exit(1);
    },
  );
}
