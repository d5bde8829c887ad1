#!/usr/bin/env node
/** `npm run dlq -- list | show <id> | replay <id> [--json]`: look at dead letters and put them back. */
import { Client } from 'pg';
import type { Kafka } from 'kafkajs';
import { DLQ_USAGE, parseDlqArgs, UsageError, type DlqCommand } from './args';
import { errorMessage } from './batching';
import { findResolved, type InboxSources } from './dead-letter-resolution';
import { replayDeadLetter } from './dead-letter-replay';
import { createKafka, dlqTopics, parseDeadLetterId, readDeadLetters, type DeadLetter } from './dead-letters';
import { loadEnv, type ToolEnv } from './env';
import { byDatabase, DATABASES, SerialDb } from './snapshot';

async function main(argv: string[]): Promise<number> {
  let cmd: DlqCommand;
  try {
    cmd = parseDlqArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n${DLQ_USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (cmd.name === 'help') {
    process.stdout.write(`${DLQ_USAGE}\n`);
    return 0;
  }
  try {
    const env = await loadEnv();
    const kafka = createKafka(env.kafkaBrokers, 'dlq-tool');
    return cmd.name === 'list' ? await list(kafka, env, cmd.json) : await one(kafka, env, cmd);
  } catch (err) {
    process.stderr.write(`dlq: ${errorMessage(err)}\n`);
    return 2;
  }
}

async function list(kafka: Kafka, env: ToolEnv, json: boolean): Promise<number> {
  const entries = await readDeadLetters(kafka, dlqTopics(env.kafkaTopicPrefix));
  const resolved = await withInboxes(env, (sources) => findResolved(entries, sources));
  if (json) {
    print(
      JSON.stringify(
        entries.map((e) => ({ ...e, resolved: resolved.has(e.id) })),
        null,
        2,
      ),
    );
    return 0;
  }
  for (const e of entries) {
    const fields = [e.id, e.at ?? '?', e.consumer ?? '?', e.type ?? '?', e.eventId ?? '?', `attempts=${e.attempts ?? '?'}`];
    print([...fields, `resolved=${resolved.has(e.id) ? 'yes' : 'no'}`, e.error ?? ''].join('  '));
  }
  const open = entries.filter((e) => !resolved.has(e.id)).length;
  print(`${entries.length} dead letter${entries.length === 1 ? '' : 's'}, ${open} unresolved`);
  return 0;
}

async function one(kafka: Kafka, env: ToolEnv, cmd: Extract<DlqCommand, { id: string }>): Promise<number> {
  const where = parseDeadLetterId(cmd.id);
  if (!where) {
    throw new UsageError(`not a dead-letter id (<dlq-topic>:<partition>:<offset>): ${cmd.id}`);
  }
  // Dead-letter topics are small; reading the one topic is simpler than seeking and just as exact.
  const entry = (await readDeadLetters(kafka, [where.topic])).find((e) => e.id === cmd.id);
  if (!entry) {
    process.stderr.write(`dlq: no dead letter ${cmd.id}\n`);
    return 1;
  }
  if (cmd.name === 'show') {
    const resolved = (await withInboxes(env, (s) => findResolved([entry], s))).has(entry.id);
    print(cmd.json ? JSON.stringify({ ...entry, resolved }, null, 2) : describe(entry, resolved));
    return 0;
  }
  const to = await replayDeadLetter(kafka, entry);
  print(cmd.json ? JSON.stringify({ replayed: entry.id, to }) : `replayed ${entry.id} to ${to.topic}:${to.partition}:${to.offset}`);
  return 0;
}

function describe(e: DeadLetter, resolved: boolean): string {
  const origin = `${e.originalTopic ?? '?'}:${e.originalPartition ?? '?'}:${e.originalOffset ?? '?'}`;
  const envelope = e.envelope === null ? (e.value ?? '(no value)') : JSON.stringify(e.envelope, null, 2);
  return [
    `id:        ${e.id}`,
    `original:  ${origin}`,
    `key:       ${e.key ?? '(none)'}`,
    `consumer:  ${e.consumer ?? '?'}`,
    `event:     ${e.type ?? '?'} ${e.eventId ?? '?'}`,
    `attempts:  ${e.attempts ?? '?'}`,
    `at:        ${e.at ?? '?'}`,
    `error:     ${e.error ?? '?'}`,
    `resolved:  ${resolved ? 'yes (the consumer has applied it since)' : 'no'}`,
    'headers:',
    ...Object.entries(e.headers).map(([k, v]) => `  ${k}: ${v}`),
    'envelope:',
    envelope,
  ].join('\n');
}

/** Plain connections (no snapshot): the dlq tool asks one question per inbox. */
async function withInboxes<T>(env: ToolEnv, fn: (sources: InboxSources) => Promise<T>): Promise<T> {
  const urls = { inventory: env.inventoryDatabaseUrl, order: env.orderDatabaseUrl, payment: env.paymentDatabaseUrl };
  const clients = byDatabase((name) => new Client({ connectionString: urls[name], application_name: 'dlq-tool' }));
  const all = DATABASES.map((name) => clients[name]);
  try {
    await Promise.all(all.map((c) => c.connect()));
    const db = byDatabase((name) => new SerialDb(clients[name]));
    return await fn({ db, redis: { url: env.redisUrl, keyPrefix: env.redisKeyPrefix } });
  } finally {
    await Promise.all(all.map((c) => c.end().catch(() => undefined)));
  }
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`dlq: ${errorMessage(err)}\n`);
    process.exitCode = 2;
  },
);
