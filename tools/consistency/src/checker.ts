/** checkConsistency: every SPEC §10 invariant the databases, the sandbox and Kafka can show. */
import { judgeDeadLetters, startReadingDeadLetters } from './dlq.rules';
import { checkOrders } from './order.rules';
import { checkOutboxes } from './outbox.rules';
import { checkPayments } from './payment.rules';
import {
  DEFAULT_KAFKA_TIMEOUT_MS,
  DEFAULT_OUTBOX_MAX_AGE_SECONDS,
  DEFAULT_SETTLE_SECONDS,
  Findings,
  type CheckOptions,
  type Report,
} from './report';
import { checkSandbox } from './sandbox.rules';
import { openSnapshot } from './snapshot';
import { checkStock } from './stock.rules';

export async function checkConsistency(options: CheckOptions): Promise<Report> {
  const settleSeconds = nonNegative('settleSeconds', options.settleSeconds ?? DEFAULT_SETTLE_SECONDS);
  const outboxMaxAge = nonNegative('outboxMaxAgeSeconds', options.outboxMaxAgeSeconds ?? DEFAULT_OUTBOX_MAX_AGE_SECONDS);
  const kafka = options.kafka && { ...options.kafka, timeoutMs: options.kafkaTimeoutMs ?? DEFAULT_KAFKA_TIMEOUT_MS };
  const snapshot = await openSnapshot(
    { inventory: options.inventoryDatabaseUrl, order: options.orderDatabaseUrl, payment: options.paymentDatabaseUrl },
    settleSeconds,
  );
  const findings = new Findings();
  // Kafka answers on its own clock; reading it alongside the databases keeps the whole check short.
  const deadLetters = kafka ? startReadingDeadLetters(kafka) : undefined;
  try {
    const [, , candidates] = await allOrFirstError([
      checkStock(snapshot, findings),
      checkOrders(snapshot, findings),
      checkPayments(snapshot, findings),
      checkOutboxes(snapshot, outboxMaxAge, findings),
    ] as const);
    if (options.sandboxUrl) {
      await checkSandbox(options.sandboxUrl, candidates, snapshot.cutoff, findings);
    }
    if (kafka && deadLetters) {
      await judgeDeadLetters(await deadLetters, kafka, { db: snapshot.db, redis: options.redis }, findings);
    }
  } finally {
    await snapshot.close();
    // Never leave a consumer running behind a failed check (the read itself never rejects).
    await deadLetters;
  }
  return findings.report();
}

/**
 * Like Promise.all, but waits for every rule before failing: the snapshot's connections are closed
 * only once no rule is still using them.
 */
async function allOrFirstError<T extends readonly unknown[]>(work: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(work);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    throw failed.reason;
  }
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative number of seconds, got ${value}`);
  }
  return value;
}
