/**
 * A dead letter is resolved once the consumer that gave up on it has since applied its eventId
 * (after a replay, or a redelivery that went through): every consumer records what it applied in
 * its inbox, so the inbox is the proof.
 */
import Redis from 'ioredis';
import { chunks, groupBy } from './batching';
import type { DeadLetter } from './dead-letters';
import type { DatabaseName, Db } from './snapshot';

/** Consumer name → where its inbox lives. */
export const CONSUMER_INBOXES: Readonly<Record<string, DatabaseName | 'redis'>> = {
  'inventory.stock': 'inventory',
  'order.payments': 'order',
  'payment.refunds': 'payment',
  'cart.ordered-items': 'redis',
};

export interface InboxSources {
  db: Record<DatabaseName, Db>;
  /** Cart's Redis inbox; without it a cart dead letter cannot be shown resolved. */
  redis?: { url: string; keyPrefix: string };
}

/** Inbox event_id is a UUID column: anything else cannot be in it (and would fail the cast). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The ids of the entries whose consumer has applied their event. */
export async function findResolved(entries: readonly DeadLetter[], sources: InboxSources): Promise<Set<string>> {
  const resolved = new Set<string>();
  const byConsumer = groupBy(
    entries.filter((e) => e.eventId !== null && e.consumer !== null),
    (e) => e.consumer as string,
  );
  for (const [consumer, list] of byConsumer) {
    const inbox = CONSUMER_INBOXES[consumer];
    if (inbox === undefined) {
      continue; // unknown consumer: nothing can prove it applied the event
    }
    const applied =
      inbox === 'redis' ? await appliedInRedis(sources.redis, consumer, list) : await appliedInDatabase(sources.db[inbox], consumer, list);
    for (const e of list.filter((x) => applied.has(x.eventId as string))) {
      resolved.add(e.id);
    }
  }
  return resolved;
}

async function appliedInDatabase(db: Db, consumer: string, list: DeadLetter[]): Promise<Set<string>> {
  const ids = [...new Set(list.map((e) => e.eventId as string).filter((id) => UUID.test(id)))];
  const applied = new Set<string>();
  for (const part of chunks(ids)) {
    const { rows } = await db.query<{ event_id: string }>(
      'SELECT event_id::text AS event_id FROM inbox_events WHERE consumer = $1 AND event_id = ANY($2::uuid[])',
      [consumer, part],
    );
    rows.forEach((r) => applied.add(r.event_id));
  }
  // Postgres prints UUIDs in lower case; the envelope may not.
  return new Set(ids.filter((id) => applied.has(id.toLowerCase())));
}

/** Cart's inbox is a Redis key per applied event: `${keyPrefix}inbox:${consumer}:${eventId}`. */
async function appliedInRedis(redis: InboxSources['redis'], consumer: string, list: DeadLetter[]): Promise<Set<string>> {
  if (!redis) {
    return new Set();
  }
  const client = new Redis(redis.url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null, // fail fast: a checker reports a dead Redis instead of waiting for it
  });
  try {
    await client.connect();
    const ids = [...new Set(list.map((e) => e.eventId as string))];
    const pipeline = client.pipeline();
    ids.forEach((id) => pipeline.exists(`${redis.keyPrefix}inbox:${consumer}:${id}`));
    const results = (await pipeline.exec()) ?? [];
    return new Set(ids.filter((_, i) => results[i]?.[1] === 1));
  } catch (err) {
    throw new Error(`cannot read cart's inbox in Redis: ${(err as Error).message}`);
  } finally {
    client.disconnect();
  }
}
