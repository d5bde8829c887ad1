import { Injectable } from '@nestjs/common';
import { DomainEvent, Topic, toOutboxRow } from '@shop/shared';
import { Prisma } from '../generated/prisma/client';
import { PaymentTx } from '../infrastructure/prisma/payment-prisma.service';

/** Appends events to the outbox inside the caller's (ambient) transaction — never outside one. */
@Injectable()
export class OutboxRepository {
  constructor(private readonly tx: PaymentTx) {}

  async append(topic: Topic, event: DomainEvent): Promise<void> {
    if (!this.tx.inTransaction) {
      throw new Error('outbox rows are written only inside the transaction of their state change');
    }
    const row = toOutboxRow(topic, event);
    await this.tx.client.outboxEvent.create({ data: { ...row, envelope: row.envelope as unknown as Prisma.InputJsonValue } });
  }
}
