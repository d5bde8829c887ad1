import { Inject, Injectable } from '@nestjs/common';
import { LOGGER } from '@shop/shared/nest';
import { yuanToCents } from '@shop/shared';
import type { Logger } from 'pino';
import { AlipayGateway } from '../infrastructure/alipay/alipay.gateway';
import { ApplyOutcome, TradeStateApplier } from '../notifications/trade-state.applier';
import { parseAlipayTime } from '../notifications/trade-state';
import { PaymentRecord, PaymentRepository } from '../payments/payment.repository';

/**
 * Asks Alipay what became of a trade and applies the answer through the same code path as a
 * notification — so a lost notification costs minutes, not money.
 */
@Injectable()
export class TradeReconciler {
  constructor(
    private readonly gateway: AlipayGateway,
    private readonly applier: TradeStateApplier,
    private readonly payments: PaymentRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async reconcile(payment: PaymentRecord): Promise<ApplyOutcome | 'UNKNOWN_AT_ALIPAY'> {
    const trade = await this.gateway.query(payment.orderSn);
    if (!trade.exists || !trade.tradeStatus) {
      return 'UNKNOWN_AT_ALIPAY';
    }
    if (trade.tradeStatus === 'TRADE_CLOSED' && payment.watchUntil) {
      await this.payments.stopWatching(payment.orderSn); // closed at Alipay too: nobody can pay it now
    }
    const amount = trade.totalAmount ? yuanToCents(trade.totalAmount) : null;
    if (amount !== payment.amount) {
      this.logger.warn(
        { orderSn: payment.orderSn, totalAmount: trade.totalAmount },
        'trade query amount differs from the payment; not applied',
      );
      return 'NO_CHANGE';
    }
    return this.applier.apply({
      // Deterministic: re-learning the same state is recognised as a duplicate.
      notifyId: `query:${payment.orderSn}:${trade.tradeStatus}:${trade.tradeNo ?? '-'}`,
      orderSn: payment.orderSn,
      tradeNo: trade.tradeNo ?? null,
      tradeStatus: trade.tradeStatus,
      amount,
      paidAt: parseAlipayTime(trade.paidAt),
      source: 'QUERY',
      params: Object.fromEntries(Object.entries(trade).map(([k, v]) => [k, String(v)])),
    });
  }
}
