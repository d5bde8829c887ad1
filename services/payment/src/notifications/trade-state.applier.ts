import { Injectable } from '@nestjs/common';
import { createEvent, TOPICS } from '@shop/shared';
import { eventMeta } from '@shop/shared/nest';
import { PaymentTx } from '../infrastructure/prisma/payment-prisma.service';
import { OutboxRepository } from '../outbox/outbox.repository';
import { PaymentRepository } from '../payments/payment.repository';
import { NotificationRepository } from './notification.repository';
import { PAID_STATUSES, TradeState } from './trade-state';

export type ApplyOutcome = 'APPLIED' | 'NO_CHANGE' | 'DUPLICATE';

/**
 * The one code path that turns a trade state into payment changes — for webhook notifications,
 * for trade queries by the reconciliation job, and for "close said it was paid". In ONE
 * transaction: record the notification (unique notify_id), move the payment conditionally, and
 * write PaymentSucceeded to the outbox. Every step is idempotent on its own, so a duplicate, a
 * replay after a crash, or two racers produce exactly one change and one event.
 */
@Injectable()
export class TradeStateApplier {
  constructor(
    private readonly tx: PaymentTx,
    private readonly notifications: NotificationRepository,
    private readonly payments: PaymentRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  apply(s: TradeState): Promise<ApplyOutcome> {
    return this.tx.run(async () => {
      if (!(await this.notifications.recordIfNew(s))) {
        return 'DUPLICATE';
      }
      if ((PAID_STATUSES as readonly string[]).includes(s.tradeStatus)) {
        return (await this.applyPaid(s)) ? 'APPLIED' : 'NO_CHANGE';
      }
      if (s.tradeStatus === 'TRADE_CLOSED') {
        return (await this.payments.markClosed(s.orderSn)) ? 'APPLIED' : 'NO_CHANGE';
      }
      return 'NO_CHANGE'; // WAIT_BUYER_PAY: nothing to do
    });
  }

  /** PENDING/CLOSED → PAID (a refund notification for a PAID payment changes nothing). */
  private async applyPaid(s: TradeState): Promise<boolean> {
    const paidAt = s.paidAt ?? new Date();
    if (!(await this.payments.markPaid(s.orderSn, s.tradeNo!, paidAt))) {
      return false;
    }
    const event = createEvent(
      'PaymentSucceeded',
      s.orderSn,
      { orderSn: s.orderSn, amount: s.amount, tradeNo: s.tradeNo!, paidAt: paidAt.toISOString() },
      eventMeta(),
    );
    await this.outbox.append(TOPICS.payment, event);
    return true;
  }
}
