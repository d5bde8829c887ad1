import { Injectable } from '@nestjs/common';
import { DomainError } from '@shop/shared';
import { OrderClient, OrderView } from '../clients/order.client';
import { AlipayGateway } from '../infrastructure/alipay/alipay.gateway';
import { PaymentLocks } from '../infrastructure/payment-locks';
import { AlreadyPaidError, OrderNotFoundError, OrderNotPayableError, PaymentInProgressError } from './payment.errors';
import { PaymentRecord, PaymentRepository } from './payment.repository';

export interface CreatedPayment {
  payment: PaymentRecord;
  payUrl: string;
  created: boolean;
}

/**
 * POST /payments (SPEC §7), checked in the spec's order under a Redlock on the orderSn (busy →
 * 409 PAYMENT.IN_PROGRESS). One payment per order is the primary key's job, not the lock's.
 */
@Injectable()
export class PaymentCreationService {
  constructor(
    private readonly payments: PaymentRepository,
    private readonly orders: OrderClient,
    private readonly gateway: AlipayGateway,
    private readonly locks: PaymentLocks,
  ) {}

  async create(userId: number, orderSn: string): Promise<CreatedPayment> {
    const run = await this.locks.run(orderSn, () => this.createLocked(userId, orderSn), 0);
    if (run.busy) {
      throw new PaymentInProgressError(orderSn);
    }
    return run.value;
  }

  private async createLocked(userId: number, orderSn: string): Promise<CreatedPayment> {
    const order = await this.ownOrder(userId, orderSn);
    const existing = await this.payments.findBySn(orderSn);
    if (existing) {
      return this.reuse(existing, order);
    }
    this.assertPayable(order);
    const { payment, created } = await this.payments.insertIfAbsent(
      { orderSn, userId, amount: order.totalAmount, payDeadline: new Date(order.payDeadline) },
      'PENDING',
    );
    return created ? { payment, payUrl: this.payUrl(payment), created } : this.reuse(payment, order);
  }

  private async ownOrder(userId: number, orderSn: string): Promise<OrderView> {
    try {
      const order = await this.orders.get(orderSn);
      if (order.userId === userId) {
        return order;
      }
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'ORDER.NOT_FOUND')) {
        throw err;
      }
    }
    throw new OrderNotFoundError(orderSn);
  }

  private reuse(existing: PaymentRecord, order: OrderView): CreatedPayment {
    if (existing.status === 'PAID') {
      throw new AlreadyPaidError(existing.orderSn);
    }
    if (existing.status === 'CLOSED' || existing.status === 'REFUNDED') {
      // REFUNDED: money came for a cancelled order and went back; the order is not payable.
      throw new OrderNotPayableError(existing.orderSn, `TRADE_${existing.status}`);
    }
    this.assertPayable(order);
    return { payment: existing, payUrl: this.payUrl(existing), created: false };
  }

  private assertPayable(order: OrderView): void {
    if (order.status !== 'UNPAID') {
      throw new OrderNotPayableError(order.orderSn, `ORDER_${order.status}`);
    }
    if (Date.parse(order.payDeadline) <= Date.now()) {
      throw new OrderNotPayableError(order.orderSn, 'PAY_DEADLINE_PASSED');
    }
  }

  private payUrl(p: PaymentRecord): string {
    return this.gateway.pagePayUrl(p.orderSn, p.amount, `Order ${p.orderSn}`, p.payDeadline);
  }
}
