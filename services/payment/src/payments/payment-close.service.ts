import { Injectable } from '@nestjs/common';
import { UpstreamUnavailableError } from '@shop/shared';
import { OrderClient } from '../clients/order.client';
import { AlipayGateway } from '../infrastructure/alipay/alipay.gateway';
import { PaymentLocks } from '../infrastructure/payment-locks';
import { TradeReconciler } from '../reconciliation/trade-reconciler';
import { PaymentInProgressError } from './payment.errors';
import { PaymentRecord, PaymentRepository } from './payment.repository';

export type CloseResult = 'CLOSED' | 'PAID';

/**
 * "Close the trade" — asked by the order service before it cancels an order. The answer is never
 * CLOSED for money that arrived: if Alipay refuses to close because the buyer paid, the payment
 * is applied (same path as a notification) and the answer is PAID. With no payment yet, a CLOSED
 * row is written so that a later POST /payments for the order fails.
 */
@Injectable()
export class PaymentCloseService {
  constructor(
    private readonly payments: PaymentRepository,
    private readonly orders: OrderClient,
    private readonly gateway: AlipayGateway,
    private readonly reconciler: TradeReconciler,
    private readonly locks: PaymentLocks,
  ) {}

  async close(orderSn: string): Promise<CloseResult> {
    const run = await this.locks.run(orderSn, () => this.closeLocked(orderSn), 10000);
    if (run.busy) {
      throw new PaymentInProgressError(orderSn);
    }
    return run.value;
  }

  private async closeLocked(orderSn: string): Promise<CloseResult> {
    const existing = await this.payments.findBySn(orderSn);
    if (existing) {
      return this.closeExisting(existing);
    }
    const order = await this.orders.get(orderSn); // 404 ORDER.NOT_FOUND for an unknown order
    const { payment, created } = await this.payments.insertIfAbsent(
      { orderSn, userId: order.userId, amount: order.totalAmount, payDeadline: new Date(order.payDeadline) },
      'CLOSED',
    );
    return created ? 'CLOSED' : this.closeExisting(payment); // a payment was created meanwhile
  }

  private async closeExisting(payment: PaymentRecord): Promise<CloseResult> {
    switch (payment.status) {
      case 'CLOSED':
        return 'CLOSED';
      case 'PAID':
      case 'REFUNDED':
        return 'PAID';
      case 'PENDING':
        return this.closePending(payment);
    }
  }

  private async closePending(payment: PaymentRecord): Promise<CloseResult> {
    const atAlipay = await this.gateway.close(payment.orderSn);
    if (atAlipay === 'NOT_CLOSABLE') {
      // Alipay refuses to close: usually the buyer paid before our close landed (or Alipay closed
      // it itself at time_expire). Learn the trade's real state now, through the notification
      // path, and answer from what the payment became — never PAID on a guess, never CLOSED
      // for money that arrived.
      await this.reconciler.reconcile(payment);
      const now = (await this.payments.findBySn(payment.orderSn))!;
      if (now.status === 'PAID' || now.status === 'REFUNDED') {
        return 'PAID';
      }
      if (now.status === 'CLOSED') {
        return 'CLOSED';
      }
      throw new UpstreamUnavailableError('alipay'); // state unknown: the caller retries later
    }
    // CLOSED, or NOT_EXIST (the cashier was never opened): nothing was or can now be paid through it.
    await this.payments.markClosed(payment.orderSn);
    const now = (await this.payments.findBySn(payment.orderSn))!;
    return now.status === 'CLOSED' ? 'CLOSED' : 'PAID'; // a notification may have landed meanwhile
  }
}
