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

  /**
   * `guard` runs first inside the same transaction (e.g. the timeout job's fence check); it throws
   * to refuse the write.
   */
  async transition(
    orderSn: string,
    from: OrderStatus,
    to: OrderStatus,
    patch: StatusPatch,
    event: DomainEvent,
    guard?: () => Promise<void>,
  ): Promise<void> {
    await this.tx.run(async () => {
      await guard?.();
      if (!(await this.tryTransition(orderSn, from, to, patch, event))) {
        throw new InvalidTransitionError(orderSn, from, to); // someone else moved it first
      }
    });
  }

  /** The same as a value (for consumers, whose expected outcomes must not throw): false = not in `from` any more. */
  async tryTransition(orderSn: string, from: OrderStatus, to: OrderStatus, patch: StatusPatch, event: DomainEvent): Promise<boolean> {
    if (!canTransition(from, to)) {
      throw new InvalidTransitionError(orderSn, from, to);
    }
    return this.tx.run(async () => {
      if (!(await this.orders.updateStatusIf(orderSn, from, to, patch))) {
        return false;
      }
      await this.outbox.append(TOPICS.order, event);
      return true;
    });
  }
}
