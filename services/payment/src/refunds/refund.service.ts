import { Inject, Injectable } from '@nestjs/common';
import { createEvent, OrderPaymentRejectedV1, TOPICS } from '@shop/shared';
import { correlationIdOrNew, LOGGER } from '@shop/shared/nest';
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
 * Alipay is asked first with a deterministic out_request_no — idempotent there — then the
 * payment moves PAID → REFUNDED with PaymentRefunded in one transaction. A crash between the two
 * replays into the same Alipay refund (no money moves twice) and then the same transition.
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

  async onOrderPaymentRejected(event: OrderPaymentRejectedV1): Promise<RefundOutcome> {
    const payment = await this.payments.findBySn(event.orderSn);
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
    return this.tx.run(async () => {
      if (!(await this.payments.markRefunded(payment.orderSn))) {
        return 'ALREADY_REFUNDED';
      }
      await this.refunds.insert(outRequestNo, payment.orderSn, payment.amount);
      const refunded = createEvent(
        'PaymentRefunded',
        payment.orderSn,
        { orderSn: payment.orderSn, amount: payment.amount, outRequestNo },
        { correlationId: correlationIdOrNew() },
      );
      await this.outbox.append(TOPICS.payment, refunded);
      this.logger.info({ orderSn: payment.orderSn, amount: payment.amount }, 'late payment refunded');
      return 'REFUNDED';
    });
  }
}
