import { Injectable } from '@nestjs/common';
import { OutboxAppender } from '@shop/shared/nest';
import { PaymentTx } from '../infrastructure/prisma/payment-prisma.service';

/** The payment database's outbox (see OutboxAppender). */
@Injectable()
export class OutboxRepository extends OutboxAppender {
  constructor(tx: PaymentTx) {
    super(
      () => tx.client,
      () => tx.inTransaction,
    );
  }
}
