import { Injectable } from '@nestjs/common';
import { UpstreamUnavailableError } from '@shop/shared';
import { OrderClient } from '../clients/order.client';
import { AlipayGateway } from '../infrastructure/alipay/alipay.gateway';
import { PaymentLocks } from '../infrastructure/payment-locks';
import { TradeReconciler } from '../reconciliation/trade-reconciler';
import { PaymentInProgressError } from './payment.errors';
import { PaymentRecord, PaymentRepository } from './payment.repository';

export type CloseResult = 'CLOSED' | 'PAID';

/** Past the trade's time_expire (= the order's deadline) plus clock skew, nobody can pay it. */
export const CLOSED_TRADE_WATCH_MARGIN_MS = 5 * 60 * 1000;

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
    // CLOSED at Alipay: nothing can be paid through it any more. NOT_EXIST (the cashier was never
    // opened): closed here, but the buyer still holds a signed payUrl that creates the trade when
    // opened — reconciliation watches it until the trade's time_expire has passed.
    const watchUntil = atAlipay === 'NOT_EXIST' ? new Date(payment.payDeadline.getTime() + CLOSED_TRADE_WATCH_MARGIN_MS) : undefined;
    await this.payments.markClosed(payment.orderSn, watchUntil);
    const now = (await this.payments.findBySn(payment.orderSn))!;
    return now.status === 'CLOSED' ? 'CLOSED' : 'PAID'; // a notification may have landed meanwhile
  }
}
