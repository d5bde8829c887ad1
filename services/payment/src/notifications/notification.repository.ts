import { Injectable } from '@nestjs/common';
import { PaymentTx } from '../infrastructure/prisma/payment-prisma.service';
import { TradeState } from './trade-state';

@Injectable()
export class NotificationRepository {
  constructor(private readonly tx: PaymentTx) {}

  /** False when this notify_id was recorded before: the unique key spots the redelivery. */
  async recordIfNew(s: TradeState): Promise<boolean> {
    const inserted = await this.tx.client.$executeRaw`
      INSERT INTO payment_notifications (notify_id, order_sn, trade_no, trade_status, total_amount, source, params)
      VALUES (${s.notifyId}, ${s.orderSn}, ${s.tradeNo}, ${s.tradeStatus}, ${s.amount}, ${s.source}, ${JSON.stringify(s.params)}::jsonb)
      ON CONFLICT (notify_id) DO NOTHING`;
    return inserted === 1;
  }
}
