/** Rule dlq.unresolved: a dead letter stays a violation until its consumer has applied the event. */
import { errorMessage } from './batching';
import { findResolved, type InboxSources } from './dead-letter-resolution';
import { createKafka, dlqTopics, readDeadLetters, type DeadLetter } from './dead-letters';
import type { Findings } from './report';

export interface DeadLetterCheck {
  brokers: string;
  topicPrefix: string;
  timeoutMs: number;
}

/** Kafka is read while the databases are checked; this starts the read and never rejects. */
export function startReadingDeadLetters(opts: DeadLetterCheck): Promise<DeadLetter[] | Error> {
  const kafka = createKafka(opts.brokers);
  return readDeadLetters(kafka, dlqTopics(opts.topicPrefix), opts.timeoutMs).catch((err: unknown) =>
    err instanceof Error ? err : new Error(String(err)),
  );
}

export async function judgeDeadLetters(
  read: DeadLetter[] | Error,
  opts: DeadLetterCheck,
  sources: InboxSources,
  findings: Findings,
): Promise<void> {
  if (read instanceof Error) {
    findings.add('dlq.unreadable', `cannot read the dead-letter topics at ${opts.brokers}: ${errorMessage(read)}`, {
      brokers: opts.brokers,
      topics: dlqTopics(opts.topicPrefix).join(','),
    });
    return;
  }
  findings.count('dlqEntries', read.length);
  const resolved = await findResolved(read, sources);
  for (const e of read.filter((x) => !resolved.has(x.id))) {
    findings.add('dlq.unresolved', describeUnresolved(e), {
      id: e.id,
      consumer: e.consumer ?? '?',
      eventId: e.eventId ?? '?',
      type: e.type ?? '?',
      error: e.error ?? '?',
    });
  }
}

function describeUnresolved(e: DeadLetter): string {
  const consumer = e.consumer ?? 'an unnamed consumer';
  const event = `${e.type ?? 'an unparseable event'} ${e.eventId ?? ''}`.trim();
  return `${e.id}: ${consumer} gave up on ${event} and has not applied it since (${e.error ?? 'no error recorded'})`;
}
