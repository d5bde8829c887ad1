import { Injectable } from '@nestjs/common';
import { OutboxAppender } from '@shop/shared/nest';
import { InventoryTx } from '../prisma/inventory-prisma.service';

/** The inventory database's outbox (see OutboxAppender). */
@Injectable()
export class OutboxWriter extends OutboxAppender {
  constructor(tx: InventoryTx) {
    super(
      () => tx.client,
      () => tx.inTransaction,
    );
  }
}
