import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { TOPICS } from '@shop/shared';
import { EventConsumer, EventConsumerFactory, TransactionalInbox } from '@shop/shared/nest';
import { PaymentTx } from '../infrastructure/prisma/payment-prisma.service';
import { RefundService } from './refund.service';

/** order.events → refunds (consumer `payment.refunds`): OrderPaymentRejected refunds the late payment once. */
@Injectable()
export class OrderEventsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly consumer: EventConsumer;

  constructor(factory: EventConsumerFactory, tx: PaymentTx, refunds: RefundService) {
    this.consumer = factory.create({
      name: 'payment.refunds',
      topics: [TOPICS.order],
      inbox: new TransactionalInbox(tx),
      handlers: {
        OrderPaymentRejected: async (e) => ((await refunds.onOrderPaymentRejected(e.payload)) === 'REFUNDED' ? 'APPLIED' : 'IGNORED'),
      },
    });
  }

  onApplicationBootstrap(): void {
    this.consumer.startInBackground();
  }

  onModuleDestroy(): Promise<void> {
    return this.consumer.stop();
  }
}
