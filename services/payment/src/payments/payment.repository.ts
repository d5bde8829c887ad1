import { Injectable } from '@nestjs/common';
import { Payment, PaymentStatus } from '../generated/prisma/client';
import { PaymentTx } from '../infrastructure/prisma/payment-prisma.service';
import { sourcesOf } from './payment-state';

export type PaymentRecord = Payment;

export interface NewPayment {
  orderSn: string;
  userId: number;
  amount: number;
  payDeadline: Date;
}

@Injectable()
export class PaymentRepository {
  constructor(private readonly tx: PaymentTx) {}

  findBySn(orderSn: string): Promise<PaymentRecord | null> {
    return this.tx.client.payment.findUnique({ where: { orderSn } });
  }

  /** The payment with its row locked until the caller's transaction ends (refunds serialise here). */
  async lockBySn(orderSn: string): Promise<PaymentRecord | null> {
    if (!this.tx.inTransaction) {
      throw new Error('PaymentRepository.lockBySn must run inside a transaction');
    }
    const rows = await this.tx.client.$queryRaw<Array<{ order_sn: string }>>`
      SELECT order_sn FROM payments WHERE order_sn = ${orderSn} FOR UPDATE`;
    return rows.length === 0 ? null : this.findBySn(orderSn);
  }

  /**
   * Inserts the order's one payment row unless it exists: the primary key decides between two
   * racing requests (create vs create, create vs close), not a prior read. Returns the row as it
   * is now and whether this call created it.
   */
  async insertIfAbsent(p: NewPayment, status: PaymentStatus): Promise<{ payment: PaymentRecord; created: boolean }> {
    const closedAt = status === 'CLOSED' ? new Date() : null;
    const inserted = await this.tx.client.$executeRaw`
      INSERT INTO payments (order_sn, user_id, amount, status, pay_deadline, closed_at)
      VALUES (${p.orderSn}, ${p.userId}, ${p.amount}, ${status}::payment_status, ${p.payDeadline}, ${closedAt})
      ON CONFLICT (order_sn) DO NOTHING`;
    return { payment: (await this.findBySn(p.orderSn))!, created: inserted === 1 };
  }

  /**
   * Conditional on the current status (the transitions table decides which): of fifty copies of a
   * notification racing here — with or without the Redlock — exactly one updates a row.
   */
  async markPaid(orderSn: string, tradeNo: string, paidAt: Date): Promise<boolean> {
    const { count } = await this.tx.client.payment.updateMany({
      where: { orderSn, status: { in: sourcesOf('PAID') } },
      data: { status: 'PAID', tradeNo, paidAt },
    });
    return count === 1;
  }

  /** `watchUntil`: closed here while Alipay never saw the trade — reconciliation keeps asking until then. */
  async markClosed(orderSn: string, watchUntil?: Date): Promise<boolean> {
    const { count } = await this.tx.client.payment.updateMany({
      where: { orderSn, status: { in: sourcesOf('CLOSED') } },
      data: { status: 'CLOSED', closedAt: new Date(), ...(watchUntil ? { watchUntil } : {}) },
    });
    return count === 1;
  }

  async stopWatching(orderSn: string): Promise<void> {
    await this.tx.client.payment.updateMany({ where: { orderSn, watchUntil: { not: null } }, data: { watchUntil: null } });
  }

  /** CLOSED payments still watched (their trade may yet be paid through an old payUrl), keyset by orderSn. */
  closedWatched(now: Date, afterOrderSn: string, limit: number): Promise<PaymentRecord[]> {
    return this.tx.client.payment.findMany({
      where: { status: 'CLOSED', watchUntil: { gt: now }, orderSn: { gt: afterOrderSn } },
      orderBy: { orderSn: 'asc' },
      take: limit,
    });
  }

  async markRefunded(orderSn: string): Promise<boolean> {
    const { count } = await this.tx.client.payment.updateMany({
      where: { orderSn, status: { in: sourcesOf('REFUNDED') } },
      data: { status: 'REFUNDED', refundedAt: new Date() },
    });
    return count === 1;
  }

  /**
   * PENDING payments created before `olderThan`, after `afterOrderSn` (a keyset page): trades that
   * stay unpaid must not hold the first page forever and starve newer ones.
   */
  pendingOlderThan(olderThan: Date, afterOrderSn: string, limit: number): Promise<PaymentRecord[]> {
    return this.tx.client.payment.findMany({
      where: { status: 'PENDING', createdAt: { lt: olderThan }, orderSn: { gt: afterOrderSn } },
      orderBy: { orderSn: 'asc' },
      take: limit,
    });
  }
}
