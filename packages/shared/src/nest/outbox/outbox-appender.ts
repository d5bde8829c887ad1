import { DomainEvent, OutboxRow, Topic, toOutboxRow } from '../../events';

type JsonValue = string | number | boolean | null | JsonObject | JsonValue[];
interface JsonObject {
  [key: string]: JsonValue;
}

/** The part of a service's Prisma client the outbox needs (each service has its own generated client). */
export interface OutboxClient {
  outboxEvent: { create(args: { data: Omit<OutboxRow, 'envelope'> & { envelope: JsonObject } }): PromiseLike<unknown> };
}

/**
 * Transactional outbox: the event row joins the caller's transaction, so it commits exactly when
 * the state change does and is never published for a rolled-back one; the relay publishes it.
 * Appending outside a transaction is refused rather than silently committed on its own.
 */
export class OutboxAppender {
  constructor(
    private readonly client: () => OutboxClient,
    private readonly inTransaction: () => boolean,
  ) {}

  async append(topic: Topic, event: DomainEvent): Promise<void> {
    if (!this.inTransaction()) {
      throw new Error('outbox rows are written only inside the transaction of their state change');
    }
    const row = toOutboxRow(topic, event);
    // An envelope is plain JSON data by construction (strings, numbers, nested objects).
    await this.client().outboxEvent.create({ data: { ...row, envelope: row.envelope as unknown as JsonObject } });
  }
}
