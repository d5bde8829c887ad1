import { Inject, Injectable } from '@nestjs/common';
import { createEvent, OrderPaymentRejectedV1, TOPICS } from '@shop/shared';
import { eventMeta, LOGGER } from '@shop/shared/nest';
import type { Logger } from 'pino';
import { AlipayGateway } from '../infrastructure/alipay/alipay.gateway';
import { PaymentTx } from '../infrastructure/prisma/payment-prisma.service';
import { OutboxRepository } from '../outbox/outbox.repository';
import { PaymentNotFoundError } from '../payments/payment.errors';
import { PaymentRepository } from '../payments/payment.repository';
import { RefundRepository } from './refund.repository';

export type RefundOutcome = 'REFUNDED' | 'ALREADY_REFUNDED';

/** Deterministic, so every retry of the same refund is the same request at Alipay. */
export function refundRequestNo(orderSn: string): string {
  return `refund-${orderSn}`;
}

/**
 * Money received for an order that was cancelled (OrderPaymentRejected) goes back to the buyer.
 * All in ONE transaction — the consumer's, with its inbox row: the payment row is locked, Alipay is
 * asked to refund with a deterministic out_request_no (idempotent there), then PAID → REFUNDED, the
 * refund row and PaymentRefunded. The external effect is never recorded before the inbox row: if
 * anything after the Alipay call fails, the transaction rolls back and the redelivery repeats the
 * SAME refund request, which Alipay answers without moving money twice.
 */
@Injectable()
export class RefundService {
  constructor(
    private readonly tx: PaymentTx,
    private readonly payments: PaymentRepository,
    private readonly refunds: RefundRepository,
    private readonly outbox: OutboxRepository,
    private readonly gateway: AlipayGateway,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onOrderPaymentRejected(event: OrderPaymentRejectedV1): Promise<RefundOutcome> {
    return this.tx.run(async () => {
      const payment = await this.payments.lockBySn(event.orderSn);
      if (!payment) {
        throw new PaymentNotFoundError(event.orderSn);
      }
      if (payment.status === 'REFUNDED') {
        return 'ALREADY_REFUNDED';
      }
      if (payment.status !== 'PAID') {
        throw new Error(`payment ${event.orderSn} is ${payment.status}; only received money is refunded`);
      }
      const outRequestNo = refundRequestNo(payment.orderSn);
      await this.gateway.refund(payment.orderSn, payment.amount, outRequestNo);
      await this.payments.markRefunded(payment.orderSn);
      await this.refunds.insert(outRequestNo, payment.orderSn, payment.amount);
      const refunded = createEvent('PaymentRefunded', payment.orderSn, { orderSn: payment.orderSn, amount: payment.amount, outRequestNo }, eventMeta());
      await this.outbox.append(TOPICS.payment, refunded);
      this.logger.info({ orderSn: payment.orderSn, amount: payment.amount }, 'late payment refunded');
      return 'REFUNDED';
    });
  }
}
