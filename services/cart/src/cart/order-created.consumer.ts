import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DomainEvent, TOPICS } from '@shop/shared';
import { EventConsumer, EventConsumerFactory, HANDLER_OWNED_INBOX, HandlerOutcome } from '@shop/shared/nest';
import { CartRepository } from './cart.repository';

const CONSUMER = 'cart.ordered-items';

/**
 * order.events → carts (consumer `cart.ordered-items`): the SKUs of a new order leave the buyer's
 * cart. The cart lives in Redis, not in a database transaction, so its inbox marker and the
 * deletion are one Lua script (CartRepository.removeOrderedOnce).
 */
@Injectable()
export class OrderCreatedConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly consumer: EventConsumer;

  constructor(
    factory: EventConsumerFactory,
    private readonly carts: CartRepository,
  ) {
    this.consumer = factory.create({
      name: CONSUMER,
      topics: [TOPICS.order],
      inbox: HANDLER_OWNED_INBOX,
      handlers: { OrderCreated: (e) => this.onOrderCreated(e) },
    });
  }

  onApplicationBootstrap(): void {
    this.consumer.startInBackground();
  }

  onModuleDestroy(): Promise<void> {
    return this.consumer.stop();
  }

  async onOrderCreated(event: DomainEvent<'OrderCreated'>): Promise<HandlerOutcome> {
    const { userId, items } = event.payload;
    const lines = items.map(({ skuId, quantity }) => ({ skuId, quantity }));
    const removed = await this.carts.removeOrderedOnce(CONSUMER, event.eventId, userId, event.occurredAt, lines);
    return removed === null ? 'DUPLICATE' : 'APPLIED';
  }
}
