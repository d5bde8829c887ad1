import { Injectable } from '@nestjs/common';
import { OutboxAppender } from '@shop/shared/nest';
import { OrderTx } from '../infrastructure/prisma/order-prisma.service';

/** The order database's outbox (see OutboxAppender). */
@Injectable()
export class OutboxRepository extends OutboxAppender {
  constructor(tx: OrderTx) {
    super(
      () => tx.client,
      () => tx.inTransaction,
    );
  }
}
