import { Injectable } from '@nestjs/common';
import { DomainEvent, TOPICS } from '@shop/shared';
import { OrderTx } from '../infrastructure/prisma/order-prisma.service';
import { OutboxRepository } from '../outbox/outbox.repository';
import { canTransition, InvalidTransitionError, OrderStatus } from './order-state';
import { OrderRepository, StatusPatch } from './order.repository';

/** Checks a transition against the table, persists it conditionally and writes its event — atomically. */
@Injectable()
export class OrderStateMachine {
  constructor(
    private readonly tx: OrderTx,
    private readonly orders: OrderRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  async transition(orderSn: string, from: OrderStatus, to: OrderStatus, patch: StatusPatch, event: DomainEvent): Promise<void> {
    if (!canTransition(from, to)) {
      throw new InvalidTransitionError(orderSn, from, to);
    }
    await this.tx.run(async () => {
      if (!(await this.orders.updateStatusIf(orderSn, from, to, patch))) {
        throw new InvalidTransitionError(orderSn, from, to); // someone else moved it first
      }
      await this.outbox.append(TOPICS.order, event);
    });
  }
}
