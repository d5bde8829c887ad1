import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { createEvent, DomainEvent, TOPICS } from '@shop/shared';
import { EventConsumer, EventConsumerFactory, eventMeta, HandlerOutcome, TransactionalInbox } from '@shop/shared/nest';
import { OrderTx } from '../infrastructure/prisma/order-prisma.service';
import { OutboxRepository } from '../outbox/outbox.repository';
import { OrderStateMachine } from './order-state-machine';
import { OrderRepository } from './order.repository';

/**
 * payment.events → orders (consumer `order.payments`). PaymentSucceeded, with the order's row
 * locked in the inbox transaction:
 *   UNPAID    → PAID + OrderPaid (inventory then deducts the stock);
 *   CANCELLED → stays CANCELLED + OrderPaymentRejected (payment then refunds the money);
 *   PAID      → nothing (a second payment event for a paid order changes nothing).
 * An unknown order or an amount that differs from the order's is a real failure: retried, then
 * dead-lettered for an operator — never guessed at.
 */
@Injectable()
export class PaymentEventsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly consumer: EventConsumer;

  constructor(
    factory: EventConsumerFactory,
    tx: OrderTx,
    private readonly orders: OrderRepository,
    private readonly stateMachine: OrderStateMachine,
    private readonly outbox: OutboxRepository,
  ) {
    this.consumer = factory.create({
      name: 'order.payments',
      topics: [TOPICS.payment],
      inbox: new TransactionalInbox(tx),
      // Pure database effects on one order row each: a run of payments commits once. (Inventory's
      // consumer stays per event: a shared transaction would hold a hot SKU's row for the whole run.)
      batched: true,
      handlers: { PaymentSucceeded: (e) => this.onPaymentSucceeded(e) },
    });
  }

  onApplicationBootstrap(): void {
    this.consumer.startInBackground();
  }

  onModuleDestroy(): Promise<void> {
    return this.consumer.stop();
  }

  async onPaymentSucceeded(event: DomainEvent<'PaymentSucceeded'>): Promise<HandlerOutcome> {
    const p = event.payload;
    const order = await this.orders.lockBySn(p.orderSn);
    if (!order) {
      throw new Error(`PaymentSucceeded for unknown order ${p.orderSn}`);
    }
    if (order.totalAmount !== p.amount) {
      throw new Error(`PaymentSucceeded amount ${p.amount} differs from order ${p.orderSn}'s ${order.totalAmount}`);
    }
    switch (order.status) {
      case 'PAID':
        return 'IGNORED';
      case 'CANCELLED': {
        const rejected = createEvent(
          'OrderPaymentRejected',
          p.orderSn,
          { orderSn: p.orderSn, amount: p.amount, tradeNo: p.tradeNo },
          eventMeta(),
        );
        await this.outbox.append(TOPICS.order, rejected);
        return 'APPLIED';
      }
      case 'UNPAID': {
        const paidAt = new Date(p.paidAt);
        const items = order.items.map(({ skuId, quantity }) => ({ skuId, quantity }));
        const paid = createEvent(
          'OrderPaid',
          p.orderSn,
          { orderSn: p.orderSn, userId: order.userId, totalAmount: order.totalAmount, paidAt: p.paidAt, items },
          eventMeta(),
        );
        // The row is locked, so the conditional UPDATE cannot lose to a concurrent cancel here.
        if (!(await this.stateMachine.tryTransition(p.orderSn, 'UNPAID', 'PAID', { paidAt }, paid))) {
          throw new Error(`order ${p.orderSn} left UNPAID under its row lock`);
        }
        return 'APPLIED';
      }
    }
  }
}
