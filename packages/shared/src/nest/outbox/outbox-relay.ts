import type { Kafka, Message, Producer } from 'kafkajs';
import { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { createIdempotentProducer } from '../kafka/kafka.factory';
import { Metrics } from '../metrics/metrics';
import { backoffMs, withTimeout } from '../../async';

export interface OutboxRelayOptions {
  /** Service name: labels the metrics and names the advisory lock. */
  service: string;
  databaseUrl: string;
  /** KAFKA_TOPIC_PREFIX: rows store the contract topic (`order.events`); the prefix is a deployment's. */
  topicPrefix: string;
  pollIntervalMs: number;
  batchSize?: number;
  /** Our own deadline on one batch's send: kafkajs's retries alone would wait for a dead broker forever. */
  sendTimeoutMs?: number;
  /** VACUUM the outbox table after this many rows published since the last one (see `vacuumIfDue`). */
  vacuumAfterRows?: number;
}

/** Enough to keep the partial index small (one VACUUM of a few thousand dead rows takes milliseconds). */
const DEFAULT_VACUUM_AFTER_ROWS = 5000;

interface ClaimedRow {
  id: string;
  topic: string;
  message_key: string;
  event_id: string;
  type: string;
  envelope: string;
}

/**
 * The ONE outbox relay (transactional outbox → Kafka), used by every service that writes events.
 *
 * One batch = one PostgreSQL transaction on the service's own database:
 *   1. `pg_try_advisory_xact_lock` — only one relay of this service publishes at a time. Several
 *      instances may run; whoever holds the lock publishes, the others skip this round. A crashed
 *      holder's transaction dies with its connection, so the next instance takes over at its next
 *      poll. Why one-at-a-time and not `FOR UPDATE SKIP LOCKED` across instances: SKIP LOCKED
 *      would let instance B publish an order's OrderCancelled while instance A still holds (and may
 *      retry) that order's OrderCreated — a reordering within the key. One publisher per database
 *      keeps the per-orderSn order the outbox ids give, with failover in one poll interval.
 *   2. the oldest unpublished rows (`published_at IS NULL ORDER BY id`; never "ids above the last
 *      one published": ids are taken at INSERT, not at COMMIT, so a lower id can become visible
 *      later — it is simply picked up by the next batch, and rows of one orderSn are committed
 *      one after the other, so their ids are in causal order);
 *   3. one idempotent, acks=all send of the whole batch, within our deadline;
 *   4. `published_at = now()` for exactly those rows, then COMMIT.
 * A failed send rolls the batch back (rows stay unpublished, nothing is lost) and backs off. A send
 * that succeeded at Kafka but whose COMMIT was lost is sent again later: delivery is at least
 * once, and every consumer dedupes by eventId in its inbox. A rolled-back state change never
 * produced a row, so it is never sent.
 */
export class OutboxRelay {
  private readonly pool: Pool;
  private readonly lockKey: string;
  private producer?: Producer;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private failures = 0;
  /** Rows this relay marked published since its last VACUUM of the table. */
  private publishedSinceVacuum = 0;
  /** VACUUMs this relay ran (the tests read it). */
  vacuums = 0;
  private readonly published;
  private readonly failed;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: OutboxRelayOptions,
    private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.pool = new Pool({ connectionString: options.databaseUrl, max: 2, application_name: `${options.service}-outbox-relay` });
    this.pool.on('error', (err) => this.logger.warn({ err }, 'outbox relay: idle database connection failed'));
    this.lockKey = `outbox-relay:${options.service}`;
    this.published = metrics.counter('outbox_published_total', 'Outbox rows published to Kafka', ['topic']);
    this.failed = metrics.counter('outbox_publish_failures_total', 'Outbox batches whose publish failed (rolled back, retried)', []);
    // One query per scrape sets both gauges: prom-client collects in registration order, so the age
    // gauge (registered first) refreshes the row count just before that one is read.
    metrics.gauge(
      'outbox_oldest_unpublished_age_seconds',
      'Age of the oldest unpublished outbox row (0 = none, -1 = unknown)',
      [],
      async (g) => {
        const lag = await this.lag();
        g.set(lag?.oldestAgeSeconds ?? -1);
        rows.set(lag?.rows ?? -1);
      },
    );
    const rows = metrics.gauge('outbox_unpublished_rows', 'Committed outbox rows not yet published (-1 = database unreachable)', []);
  }

  start(): void {
    if (this.running) {
      return;
    }
    this.running = true;
    this.loop = this.run();
  }

  /** Stops polling, lets the batch in flight finish, then publishes what is left (bounded). */
  async stop(flushDeadlineMs = 5000): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    const deadline = Date.now() + flushDeadlineMs;
    try {
      while (this.failures === 0 && Date.now() < deadline && (await this.publishBatch()) > 0) {
        // keep flushing
      }
    } catch (err) {
      this.logger.warn({ err }, 'outbox relay: final flush failed; rows stay for the next start');
    }
    await this.producer?.disconnect().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let published = 0;
      try {
        published = await this.publishBatch();
        this.failures = 0;
        await this.vacuumIfDue(published);
      } catch (err) {
        this.failures++;
        this.failed.inc();
        this.logger.warn({ err, failures: this.failures }, 'outbox relay: publish failed; rows kept, backing off');
        await this.resetProducer();
      }
      const full = published >= (this.options.batchSize ?? 500);
      if (!full) {
        await this.sleep(this.failures > 0 ? backoffMs(this.failures, 100, 5000) : this.options.pollIntervalMs);
      }
    }
  }

  /** One batch in one transaction; returns how many rows it published (0 when idle or not ours). */
  async publishBatch(): Promise<number> {
    const client = await this.pool.connect();
    // A checked-out client's connection errors are ours to handle (the pool only watches idle ones);
    // unhandled, a database restart during a slow send would crash the whole process.
    const onError = (err: Error): void => this.logger.warn({ err }, 'outbox relay: database connection failed mid-batch');
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const rows = await this.claim(client);
      if (rows.length > 0) {
        await this.send(rows);
        await client.query('UPDATE outbox_events SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])', [
          rows.map((r) => r.id),
        ]);
      }
      await client.query('COMMIT');
      for (const r of rows) {
        this.published.inc({ topic: r.topic });
      }
      return rows.length;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.off('error', onError);
      client.release();
    }
  }

  private async claim(client: PoolClient): Promise<ClaimedRow[]> {
    // With the lock, for this transaction only: a plain index scan of the partial index, never a
    // bitmap scan. A published row leaves a dead entry in `outbox_events_unpublished_idx` until
    // VACUUM removes it; a plain index scan marks such entries dead as it passes (the next poll
    // skips them), a bitmap scan visits every one of them in the heap on every poll. With 72,000
    // published rows and autovacuum off that was 18 ms of PostgreSQL CPU per poll, 20 polls a
    // second (docs/benchmarks.md). One round trip for both, as the claim had before.
    const { rows: lock } = await client.query<{ ok: boolean }>(
      `SELECT pg_try_advisory_xact_lock(hashtext($1)) AS ok, set_config('enable_bitmapscan', 'off', true)`,
      [this.lockKey],
    );
    if (!lock[0].ok) {
      return []; // another instance is publishing this database's rows right now
    }
    const { rows } = await client.query<ClaimedRow>(
      // ORDER BY the bigint column, not the text alias of the select list ('10' < '2').
      `SELECT o.id::text AS id, o.topic, o.message_key, o.event_id::text AS event_id, o.type, o.envelope::text AS envelope
         FROM outbox_events o
        WHERE o.published_at IS NULL
        ORDER BY o.id
        LIMIT $1`,
      [this.options.batchSize ?? 500],
    );
    return rows;
  }

  /**
   * The outbox is a queue table: every row is inserted once and updated once, so it makes one dead
   * tuple per event, and only VACUUM takes their entries out of the partial index the claim scans.
   * Autovacuum cannot be relied on to do it in time (it is off on this project's machines, and
   * even when on it waits for 20 % of the table to be dead), so the relay that published the rows
   * vacuums the table itself every `vacuumAfterRows`. A failed VACUUM (e.g. a role that does not
   * own the table) is logged and retried at the next threshold; it never stops publishing.
   */
  private async vacuumIfDue(published: number): Promise<void> {
    this.publishedSinceVacuum += published;
    if (this.publishedSinceVacuum < (this.options.vacuumAfterRows ?? DEFAULT_VACUUM_AFTER_ROWS)) {
      return;
    }
    this.publishedSinceVacuum = 0;
    try {
      await this.pool.query('VACUUM (ANALYZE) outbox_events');
      this.vacuums++;
    } catch (err) {
      this.logger.warn({ err }, 'outbox relay: VACUUM of outbox_events failed; publishing goes on');
    }
  }

  private async send(rows: ClaimedRow[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const r of rows) {
      const topic = `${this.options.topicPrefix}${r.topic}`;
      const messages = byTopic.get(topic) ?? [];
      messages.push({ key: r.message_key, value: r.envelope, headers: { 'event-id': r.event_id, 'event-type': r.type } });
      byTopic.set(topic, messages);
    }
    const producer = await this.connectedProducer();
    const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    await withTimeout(producer.sendBatch({ topicMessages, acks: -1 }), this.options.sendTimeoutMs ?? 10000, 'outbox publish');
  }

  private async connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = createIdempotentProducer(this.kafka);
      await withTimeout(producer.connect(), this.options.sendTimeoutMs ?? 10000, 'kafka connect');
      this.producer = producer;
    }
    return this.producer;
  }

  /** After a failed or timed-out send: a fresh producer, so the old one's endless retries stop with it. */
  private async resetProducer(): Promise<void> {
    const old = this.producer;
    this.producer = undefined;
    await withTimeout(old?.disconnect() ?? Promise.resolve(), 2000, 'kafka disconnect').catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** For the metrics: how many committed rows wait, and for how long the oldest has. null = database unreachable. */
  async lag(): Promise<{ rows: number; oldestAgeSeconds: number } | null> {
    try {
      const { rows } = await this.pool.query<{ n: number; age: number }>(
        `SELECT count(*)::int AS n, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS age
           FROM outbox_events WHERE published_at IS NULL`,
      );
      return { rows: rows[0].n, oldestAgeSeconds: rows[0].age };
    } catch {
      return null;
    }
  }
}
