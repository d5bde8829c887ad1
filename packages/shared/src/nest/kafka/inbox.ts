import type { HandlerOutcome } from './event-consumer';
import type { RawQueries, TransactionHost } from '../prisma/transaction-host';

/** Records that a consumer handled an event, atomically with the handler's effect. */
export interface Inbox {
  once(consumer: string, eventId: string, effect: () => Promise<HandlerOutcome>): Promise<HandlerOutcome>;
  /**
   * Several events in ONE transaction, each as `once` would (inbox row first, then its effect), in
   * order; all commit together or, if any effect throws, none does. Optional: an inbox without it
   * handles events one by one.
   */
  onceEach?(consumer: string, items: ReadonlyArray<{ eventId: string; effect: () => Promise<HandlerOutcome> }>): Promise<HandlerOutcome[]>;
}

/** The part of a Prisma (transaction) client the inbox needs. */
export interface RawExecutor {
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
}

/**
 * The idempotent inbox of a service with a database: ONE transaction holds the
 * `(consumer, event_id)` insert and the handler's effect (repositories join it through the ambient
 * transaction). The insert goes first: a second delivery of the same event — a redelivery after a
 * crash, or a copy handled concurrently by another instance after a rebalance — conflicts on the
 * primary key (waiting for the first to commit) and answers DUPLICATE without touching anything.
 */
export class TransactionalInbox<TTx extends RawExecutor & RawQueries> implements Inbox {
  constructor(private readonly tx: TransactionHost<TTx>) {}

  once(consumer: string, eventId: string, effect: () => Promise<HandlerOutcome>): Promise<HandlerOutcome> {
    return this.tx.run(async () => {
      const inserted = await this.tx.client.$executeRawUnsafe(
        'INSERT INTO inbox_events (consumer, event_id) VALUES ($1, $2::uuid) ON CONFLICT DO NOTHING',
        consumer,
        eventId,
      );
      return inserted === 1 ? effect() : 'DUPLICATE';
    });
  }

  onceEach(consumer: string, items: ReadonlyArray<{ eventId: string; effect: () => Promise<HandlerOutcome> }>): Promise<HandlerOutcome[]> {
    return this.tx.run(async () => {
      const outcomes: HandlerOutcome[] = [];
      for (const { eventId, effect } of items) {
        outcomes.push(await this.once(consumer, eventId, effect)); // joins this transaction
      }
      return outcomes;
    });
  }
}

/**
 * For a handler whose effect is not in a database transaction (the cart's Redis): the handler
 * itself records the eventId in the same atomic step as its effect (one Lua script) and answers
 * DUPLICATE when it was there already.
 */
export const HANDLER_OWNED_INBOX: Inbox = {
  once: (_consumer, _eventId, effect) => effect(),
};
