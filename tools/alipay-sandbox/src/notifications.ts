/** Builds the signed parameter sets Alipay sends to the merchant: the async notification
 * (notify_url, trade_status_sync) and the browser's synchronous return (return_url). */
import { randomBytes } from 'node:crypto';
import type { SandboxConfig } from './config';
import { centsToYuan, formatCst } from './format';
import { signNotifyParams, type Params } from './signing';
import type { RefundRecord, Trade } from './store';

type SigningConfig = Pick<SandboxConfig, 'appId' | 'sellerId' | 'alipayPrivateKey'>;

export function refundedCents(trade: Trade): number {
  return trade.refunds.reduce((sum, r) => sum + r.refundCents, 0);
}

/** Snapshot of the trade as a trade_status_sync notification. Parameter names follow Alipay's
 * page-pay async notification; optional ones are omitted (not sent empty) when they do not
 * apply. `refund` marks a refund notification (Alipay notifies partial refunds with
 * TRADE_SUCCESS and the full refund with TRADE_CLOSED, carrying out_biz_no/refund_fee). */
export function buildTradeNotification(trade: Trade, cfg: SigningConfig, now: number, refund?: RefundRecord): Params {
  const total = centsToYuan(trade.totalCents);
  const params: Params = {
    notify_id: randomBytes(17).toString('hex'),
    notify_type: 'trade_status_sync',
    notify_time: formatCst(now),
    app_id: cfg.appId,
    auth_app_id: cfg.appId,
    charset: 'utf-8',
    version: '1.0',
    out_trade_no: trade.outTradeNo,
    seller_id: cfg.sellerId,
    trade_status: trade.status,
    total_amount: total,
    subject: trade.subject,
    gmt_create: formatCst(trade.createdAt),
  };
  if (trade.body) {
    params.body = trade.body;
  }
  if (trade.passbackParams) {
    params.passback_params = trade.passbackParams;
  }
  if (trade.tradeNo) {
    params.trade_no = trade.tradeNo;
  }
  if (trade.paidAt !== null) {
    Object.assign(params, {
      buyer_id: trade.buyerId,
      buyer_logon_id: trade.buyerLogonId,
      receipt_amount: total,
      buyer_pay_amount: total,
      invoice_amount: total,
      point_amount: '0.00',
      gmt_payment: formatCst(trade.paidAt),
      // A JSON value on purpose: merchants must verify the raw value, not a re-encoding.
      fund_bill_list: JSON.stringify([{ amount: total, fundChannel: 'ALIPAYACCOUNT' }]),
    });
  }
  if (trade.closedAt !== null && trade.status === 'TRADE_CLOSED') {
    params.gmt_close = formatCst(trade.closedAt);
  }
  if (refund) {
    params.out_biz_no = refund.outRequestNo;
    params.refund_fee = centsToYuan(refundedCents(trade));
    params.gmt_refund = formatCst(refund.at);
  }
  return signNotifyParams(params, cfg.alipayPrivateKey);
}

/** Query parameters appended to return_url after the buyer pays (method
 * alipay.trade.page.pay.return), signed with the same rule as notifications. */
export function buildReturnParams(trade: Trade, cfg: SigningConfig, now: number): Params {
  return signNotifyParams(
    {
      method: 'alipay.trade.page.pay.return',
      app_id: cfg.appId,
      auth_app_id: cfg.appId,
      charset: 'utf-8',
      version: '1.0',
      timestamp: formatCst(now),
      out_trade_no: trade.outTradeNo,
      trade_no: trade.tradeNo ?? '',
      total_amount: centsToYuan(trade.totalCents),
      seller_id: cfg.sellerId,
    },
    cfg.alipayPrivateKey,
  );
}
