import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { DomainEvent, dlqTopic, EventType, Topic } from '../../events';
import { runWithCorrelationId } from '../context/correlation';
import { Failpoints } from '../failpoints/failpoints';
import { Metrics } from '../metrics/metrics';
import { backoffMs, withTimeout } from '../../async';
import { UpstreamUnavailableError } from '../../errors';
import { Inbox } from './inbox';
import { createIdempotentProducer } from './kafka.factory';

/**
 * What a handler did with an event. Expected outcomes are values, never exceptions: a throw
 * inside the ambient transaction would roll the inbox row back with the effect and loop the
 * event into the dead-letter topic. Only real failures throw.
 *   APPLIED  — the effect happened (and committed with the inbox row);
 *   IGNORED  — nothing to do in this state (e.g. PaymentSucceeded for a PAID order);
 *   ALARM    — a state that must not happen (e.g. deducting released stock): logged as an error,
 *              counted, recorded as handled so it does not loop, and reported by the checker.
 *   DUPLICATE — set by the inbox: this consumer had applied this eventId already.
 */
export type HandlerOutcome = 'APPLIED' | 'IGNORED' | 'ALARM' | 'DUPLICATE';

export type EventHandlers = { [T in EventType]?: (event: DomainEvent<T>) => Promise<HandlerOutcome> };

export interface EventConsumerOptions {
  /** Consumer name, e.g. `inventory.stock`: the inbox key, the group id (with the topic prefix), the metrics label. */
  name: string;
  topics: readonly Topic[];
  handlers: EventHandlers;
  inbox: Inbox;
  topicPrefix: string;
  maxAttempts: number;
  retryBaseMs: number;
  /**
   * Up to this many consecutive events of a partition batch share ONE inbox transaction (group
   * commit: one COMMIT instead of one per event). 1 (the default) = one transaction per event. If
   * the shared transaction fails, its events are handled again one by one (retries, dead letters,
   * as always), so batching never changes an outcome. Only for handlers whose effect is database
   * work: a handler that calls out (e.g. a refund at Alipay) keeps 1.
   */
  batchSize?: number;
  /**
   * An UpstreamUnavailableError (a service the handler calls out to is down) is retried for as long
   * as it lasts — backoff capped at 30 s, heartbeats kept, no attempt limit — instead of being
   * dead-lettered after maxAttempts: an upstream outage says nothing wrong about the event. Other
   * errors keep the attempt limit. For handlers that call out and whose effect must happen (a refund
   * at Alipay); the partition waits meanwhile, which for such a consumer is the point.
   */
  waitOutUpstreamOutages?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Parsed = { ok: true; event: DomainEvent } | { ok: false; error: string };

/** What a handler's wait needs from the batch it runs in: whether it still owns it, and a heartbeat. */
interface BatchLease {
  owned: () => boolean;
  heartbeat: () => Promise<void>;
}

/**
 * The ONE Kafka consumer every service uses: a consumer group per consumer name; each event runs
 * `inbox.once(name, eventId, handler)` — the handler's effect and the inbox row commit together —
 * and only then is its offset resolved (committed with the batch). A crash between the database
 * COMMIT and the offset commit redelivers the event, and the inbox answers DUPLICATE. A failing
 * event is retried with backoff a bounded number of times, then published to `<topic>.dlq` with
 * the error in its headers, and the consumer moves on; an unparseable message goes there at once.
 */
export class EventConsumer {
  private consumer?: Consumer;
  private dlqProducer?: Producer;
  private readonly events;
  private readonly lag;
  private readonly retries;
  private stopped = false;
  private starting?: Promise<void>;
  /** Cut every wait (a start-up backoff, an outage's pause) short when the service stops. */
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: EventConsumerOptions,
    private readonly logger: Logger,
    metrics: Metrics,
    private readonly failpoints: Failpoints,
  ) {
    this.events = metrics.counter('consumer_events_total', 'Events handled by consumers, by outcome', ['consumer', 'type', 'outcome']);
    this.retries = metrics.counter('consumer_retries_total', 'Failed attempts of an event that will be tried again, by reason', [
      'consumer',
      'type',
      'reason',
    ]);
    this.lag = metrics.gauge('consumer_lag_messages', 'Messages behind the partition high watermark', ['consumer', 'topic', 'partition']);
  }

  /**
   * Starts in the background and keeps trying while Kafka is unreachable (the service still serves
   * HTTP; /health/ready reports Kafka down). Events wait in Kafka meanwhile; nothing is skipped.
   */
  startInBackground(): void {
    this.stopped = false;
    this.starting = (async () => {
      for (let attempt = 1; !this.stopped; attempt++) {
        try {
          await this.start();
          return;
        } catch (err) {
          this.logger.warn({ err, consumer: this.options.name, attempt }, 'consumer could not start; retrying');
          await this.consumer?.disconnect().catch(() => undefined);
          await this.sleep(backoffMs(attempt, 500, 10000));
        }
      }
    })();
  }

  private async start(): Promise<void> {
    const { name, topicPrefix } = this.options;
    // 10 s session: a consumer killed with -9 hands its partitions over within about that long.
    const consumer = this.kafka.consumer({ groupId: `${topicPrefix}${name}`, sessionTimeout: 10000, heartbeatInterval: 1000 });
    this.consumer = consumer;
    await consumer.connect();
    await this.dlqProducerConnected(); // ready before the first dead letter needs it
    // fromBeginning: a new group must start at the first event, not at "now" — nothing committed is skipped.
    await consumer.subscribe({ topics: this.options.topics.map((t) => `${topicPrefix}${t}`), fromBeginning: true });
    await consumer.run({ partitionsConsumedConcurrently: 3, eachBatchAutoResolve: false, eachBatch: (p) => this.eachBatch(p) });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of this.wakers) {
      wake();
    }
    await this.starting;
    await this.consumer?.disconnect().catch((err: unknown) => this.logger.warn({ err }, 'consumer disconnect failed'));
    await this.dlqProducer?.disconnect().catch(() => undefined);
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const done = async (message: KafkaMessage): Promise<void> => {
      // Only now, after the handler's transaction committed, may the offset move past this message.
      payload.resolveOffset(message.offset);
      this.lag.set(
        { consumer: this.options.name, topic: batch.topic, partition: String(batch.partition) },
        Math.max(0, Number(batch.highWatermark) - Number(message.offset) - 1),
      );
      await payload.heartbeat();
    };
    const lease: BatchLease = {
      owned: () => !this.stopped && payload.isRunning() && !payload.isStale(),
      heartbeat: () => payload.heartbeat().catch(() => undefined), // a rebalance shows in owned()
    };
    const size = this.options.inbox.onceEach ? Math.max(1, this.options.batchSize ?? 1) : 1;
    for (let i = 0; i < batch.messages.length;) {
      if (!payload.isRunning() || payload.isStale()) {
        return;
      }
      const group = size > 1 ? this.batchable(batch.messages, i, size) : [];
      if (group.length > 1 && (await this.handleTogether(group))) {
        this.failpoints.hit('consumer.after-commit', this.options.name);
        for (const { message } of group) {
          await done(message);
        }
        i += group.length;
        continue;
      }
      // One by one: a lone event, an unparseable or foreign one, or a group whose shared transaction failed.
      const end = i + Math.max(1, group.length);
      for (; i < end; i++) {
        if (!payload.isRunning() || payload.isStale()) {
          return;
        }
        const message = batch.messages[i];
        const outcome = await this.handleMessage(batch.topic, batch.partition, message, lease);
        if (outcome === 'ABANDONED') {
          return; // not handled: its offset stays, and whoever owns the partition next handles it
        }
        if (outcome === 'APPLIED') {
          this.failpoints.hit('consumer.after-commit', this.options.name);
        }
        await done(message);
      }
    }
    await payload.commitOffsetsIfNecessary();
  }

  /** The run of consecutive messages from `start` (at most `size`) that parse and have a handler here. */
  private batchable(messages: KafkaMessage[], start: number, size: number): Array<{ message: KafkaMessage; event: DomainEvent }> {
    const out: Array<{ message: KafkaMessage; event: DomainEvent }> = [];
    for (let i = start; i < messages.length && out.length < size; i++) {
      const parsed = parseEvent(messages[i]);
      if (!parsed.ok || !this.options.handlers[parsed.event.type]) {
        break;
      }
      out.push({ message: messages[i], event: parsed.event });
    }
    return out;
  }

  /** One inbox transaction for the group; false (nothing committed) if any of it failed. */
  private async handleTogether(group: Array<{ message: KafkaMessage; event: DomainEvent }>): Promise<boolean> {
    try {
      const outcomes = await this.options.inbox.onceEach!(
        this.options.name,
        group.map(({ event }) => {
          const handler = this.options.handlers[event.type] as (e: DomainEvent) => Promise<HandlerOutcome>;
          return { eventId: event.eventId, effect: () => runWithCorrelationId(event.correlationId, () => handler(event), event.eventId) };
        }),
      );
      group.forEach(({ event }, k) => this.count(event.type, outcomes[k]));
      return true;
    } catch (err) {
      this.logger.warn({ err, events: group.length }, 'a shared inbox transaction failed; handling its events one by one');
      return false;
    }
  }

  /**
   * Resolves once the message is handled or dead-lettered — or ABANDONED when the consumer stops or
   * loses the partition while waiting out an upstream outage; throws only if even the DLQ is unreachable.
   */
  private async handleMessage(
    topic: string,
    partition: number,
    message: KafkaMessage,
    lease: BatchLease,
  ): Promise<HandlerOutcome | 'SKIPPED' | 'DEAD_LETTERED' | 'ABANDONED'> {
    const parsed = parseEvent(message);
    if (!parsed.ok) {
      await this.deadLetter(topic, partition, message, parsed.error, 1, 'unparseable');
      return 'DEAD_LETTERED';
    }
    const { event } = parsed;
    const handler = this.options.handlers[event.type] as ((e: DomainEvent) => Promise<HandlerOutcome>) | undefined;
    if (!handler) {
      return 'SKIPPED'; // another consumer's event type on a shared topic
    }
    for (let attempt = 1; ; attempt++) {
      // A handler that calls out may take a while (Alipay's 10 s timeout): keep the group membership.
      const ticker = setInterval(() => void lease.heartbeat(), 1000);
      try {
        const outcome = await runWithCorrelationId(
          event.correlationId,
          () => this.options.inbox.once(this.options.name, event.eventId, () => handler(event)),
          event.eventId,
        );
        this.count(event.type, outcome);
        return outcome;
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        const outage = this.options.waitOutUpstreamOutages === true && err instanceof UpstreamUnavailableError;
        if (attempt >= this.options.maxAttempts && !outage) {
          this.logger.error({ err, eventId: event.eventId, type: event.type, attempt }, 'event failed every attempt; dead-lettered');
          await this.deadLetter(topic, partition, message, error, attempt, event.type);
          return 'DEAD_LETTERED';
        }
        this.retries.inc({ consumer: this.options.name, type: event.type, reason: outage ? 'upstream_unavailable' : 'error' });
        this.logger.warn(
          { err, eventId: event.eventId, type: event.type, attempt },
          outage ? 'upstream unavailable; the event waits for it' : 'event handling failed; retrying',
        );
        if (!(await this.pause(backoffMs(attempt, this.options.retryBaseMs, 30000), lease))) {
          return 'ABANDONED';
        }
      } finally {
        clearInterval(ticker);
      }
    }
  }

  /** Waits `ms` with heartbeats; false (at once) when the consumer stops or no longer owns the batch. */
  private async pause(ms: number, lease: BatchLease): Promise<boolean> {
    const until = Date.now() + ms;
    while (lease.owned()) {
      const left = until - Date.now();
      if (left <= 0) {
        return true;
      }
      await this.sleep(Math.min(left, 1000));
      await lease.heartbeat();
    }
    return false;
  }

  /** setTimeout as a promise that stop() resolves early. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: string,
    attempts: number,
    type: string,
  ): Promise<void> {
    const original = topic.slice(this.options.topicPrefix.length) as Topic;
    const headers: IHeaders = {
      ...(message.headers ?? {}),
      'x-dlq-consumer': this.options.name,
      'x-dlq-error': error.slice(0, 2000),
      'x-dlq-original-topic': topic,
      'x-dlq-original-partition': String(partition),
      'x-dlq-original-offset': message.offset,
      'x-dlq-attempts': String(attempts),
      'x-dlq-at': new Date().toISOString(),
    };
    // If this fails the error escapes: the offset stays uncommitted and Kafka redelivers — never skipped silently.
    await this.publishDeadLetter(`${this.options.topicPrefix}${dlqTopic(original)}`, { key: message.key, value: message.value, headers });
    this.count(type, 'DEAD_LETTERED');
  }

  private async dlqProducerConnected(): Promise<Producer> {
    if (!this.dlqProducer) {
      const producer = createIdempotentProducer(this.kafka);
      await withTimeout(producer.connect(), 10000, 'dead-letter producer connect');
      this.dlqProducer = producer;
    }
    return this.dlqProducer;
  }

  /** Our own deadline on the send; after a miss the producer is replaced, so its unbounded retries stop with it. */
  private async publishDeadLetter(topic: string, message: Message): Promise<void> {
    try {
      const producer = await this.dlqProducerConnected();
      await withTimeout(producer.send({ topic, acks: -1, messages: [message] }), 10000, 'dead-letter publish');
    } catch (err) {
      const old = this.dlqProducer;
      this.dlqProducer = undefined;
      await withTimeout(old?.disconnect() ?? Promise.resolve(), 2000, 'dead-letter producer disconnect').catch(() => undefined);
      throw err;
    }
  }

  private count(type: string, outcome: HandlerOutcome | 'DEAD_LETTERED'): void {
    this.events.inc({ consumer: this.options.name, type, outcome: outcome.toLowerCase() });
  }
}

export function parseEvent(message: KafkaMessage): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(message.value?.toString() ?? '');
  } catch {
    return { ok: false, error: 'message value is not JSON' };
  }
  const e = value as Partial<DomainEvent> | null;
  if (!e || typeof e !== 'object' || typeof e.eventId !== 'string' || !UUID.test(e.eventId) || typeof e.type !== 'string') {
    return { ok: false, error: 'message is not an event envelope (eventId uuid, type)' };
  }
  if (typeof e.payload !== 'object' || e.payload === null) {
    return { ok: false, error: 'event envelope has no payload object' };
  }
  return { ok: true, event: e as DomainEvent };
}
