import { Injectable } from '@nestjs/common';
import { OrderRecord } from './order-response';
import { OrderCancellationService } from './order-cancellation.service';
import { InvalidTransitionError } from './order-state';
import { OrderNotFoundError } from './order.errors';
import { OrderRepository } from './order.repository';

/** Reads and the buyer's cancel. */
@Injectable()
export class OrdersService {
  constructor(
    private readonly orders: OrderRepository,
    private readonly cancellation: OrderCancellationService,
  ) {}

  async getForUser(userId: number, orderSn: string): Promise<OrderRecord> {
    const order = await this.orders.findForUser(userId, orderSn);
    if (!order) {
      throw new OrderNotFoundError(orderSn);
    }
    return order;
  }

  async get(orderSn: string): Promise<OrderRecord> {
    const order = await this.orders.findBySn(orderSn);
    if (!order) {
      throw new OrderNotFoundError(orderSn);
    }
    return order;
  }

  listForUser(userId: number, page: number, pageSize: number): Promise<{ items: OrderRecord[]; total: number }> {
    return this.orders.listForUser(userId, page, pageSize);
  }

  async cancel(userId: number, orderSn: string): Promise<OrderRecord> {
    const order = await this.getForUser(userId, orderSn);
    if ((await this.cancellation.cancelIfUnpaid(order, 'USER')) === 'PAID_AT_PAYMENT') {
      // The buyer paid while cancelling: the order will become PAID through the payment event.
      throw new InvalidTransitionError(orderSn, 'UNPAID', 'CANCELLED');
    }
    return this.get(orderSn);
  }
}
