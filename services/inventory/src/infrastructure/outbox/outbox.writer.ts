import { Injectable } from '@nestjs/common';
import { DomainEvent, toOutboxRow, Topic } from '@shop/shared';
import { Prisma } from '../../generated/prisma/client';
import { InventoryTx } from '../prisma/inventory-prisma.service';

/**
 * Transactional outbox: the event row joins the caller's transaction, so it commits exactly when
 * the state change does and is never published for a rolled-back one. The relay publishes it.
 */
@Injectable()
export class OutboxWriter {
  constructor(private readonly tx: InventoryTx) {}

  async add(topic: Topic, event: DomainEvent): Promise<void> {
    if (!this.tx.inTransaction) {
      throw new Error('OutboxWriter.add must run inside the state change’s transaction');
    }
    const row = toOutboxRow(topic, event);
    await this.tx.client.outboxEvent.create({ data: { ...row, envelope: row.envelope as unknown as Prisma.InputJsonValue } });
  }
}
