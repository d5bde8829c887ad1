import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { TOPICS } from '@shop/shared';
import { EventConsumer, EventConsumerFactory, TransactionalInbox } from '@shop/shared/nest';
import { PaymentTx } from '../infrastructure/prisma/payment-prisma.service';
import { RefundService } from './refund.service';

/**
 * order.events → refunds (consumer `payment.refunds`): OrderPaymentRejected refunds the late payment
 * once. While Alipay is unreachable the refund waits for it (retried with backoff for as long as
 * the outage lasts) rather than going to the dead-letter topic after a few seconds: money taken for
 * a cancelled order goes back without anyone replaying a dead letter. A refusal by Alipay itself
 * (AlipayRefusedError) is no outage and is dead-lettered after CONSUMER_MAX_ATTEMPTS, for a human.
 */
@Injectable()
export class OrderEventsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly consumer: EventConsumer;

  constructor(factory: EventConsumerFactory, tx: PaymentTx, refunds: RefundService) {
    this.consumer = factory.create({
      name: 'payment.refunds',
      topics: [TOPICS.order],
      inbox: new TransactionalInbox(tx),
      waitOutUpstreamOutages: true,
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
