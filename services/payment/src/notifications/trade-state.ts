import { yuanToCents } from '@shop/shared';

export const PAID_STATUSES = ['TRADE_SUCCESS', 'TRADE_FINISHED'] as const;
export const KNOWN_STATUSES = ['WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_FINISHED', 'TRADE_CLOSED'] as const;
export type KnownTradeStatus = (typeof KNOWN_STATUSES)[number];

/** What we learned about a trade, from a notification or from a query — applied the same way. */
export interface TradeState {
  notifyId: string;
  orderSn: string;
  tradeNo: string | null;
  tradeStatus: KnownTradeStatus;
  amount: number;
  paidAt: Date | null;
  source: 'NOTIFY' | 'QUERY';
  params: Record<string, string>;
}

export type ParseResult = { ok: true; state: TradeState } | { ok: false; reason: string };

const REQUIRED = ['notify_id', 'notify_type', 'charset', 'app_id', 'out_trade_no', 'trade_status', 'total_amount'] as const;
/** Column sizes of payment_notifications / payments: a longer value is malformed, not a 500. */
export const MAX_NOTIFY_ID_LENGTH = 128;
export const MAX_TRADE_NO_LENGTH = 64;

/** Alipay's times are China Standard Time wall clock ("yyyy-MM-dd HH:mm:ss"). */
export function parseAlipayTime(text: string | undefined): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text ?? '');
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4] - 8, +m[5], +m[6])) : null;
}

/** Shape checks of a (signature-verified) notification, before anything is looked up. */
export function parseNotification(params: Record<string, string>): ParseResult {
  for (const key of REQUIRED) {
    if (!params[key]) {
      return { ok: false, reason: `missing ${key}` };
    }
  }
  if (params.notify_type !== 'trade_status_sync') {
    return { ok: false, reason: `unsupported notify_type ${params.notify_type.slice(0, 40)}` };
  }
  if (params.charset.toLowerCase() !== 'utf-8') {
    return { ok: false, reason: `unsupported charset ${params.charset.slice(0, 40)}` };
  }
  if ([...params.notify_id].length > MAX_NOTIFY_ID_LENGTH) {
    return { ok: false, reason: 'malformed notify_id' };
  }
  if (params.trade_no !== undefined && [...params.trade_no].length > MAX_TRADE_NO_LENGTH) {
    return { ok: false, reason: 'malformed trade_no' };
  }
  if (!/^[1-9]\d{0,18}$/.test(params.out_trade_no)) {
    return { ok: false, reason: 'malformed out_trade_no' };
  }
  if (!(KNOWN_STATUSES as readonly string[]).includes(params.trade_status)) {
    return { ok: false, reason: `unknown trade_status ${params.trade_status}` };
  }
  const amount = yuanToCents(params.total_amount);
  if (amount === null) {
    return { ok: false, reason: 'malformed total_amount' };
  }
  const paid = (PAID_STATUSES as readonly string[]).includes(params.trade_status);
  if (paid && !params.trade_no) {
    return { ok: false, reason: 'missing trade_no' };
  }
  return {
    ok: true,
    state: {
      notifyId: params.notify_id,
      orderSn: params.out_trade_no,
      tradeNo: params.trade_no || null,
      tradeStatus: params.trade_status as KnownTradeStatus,
      amount,
      paidAt: parseAlipayTime(params.gmt_payment) ?? (paid ? new Date() : null),
      source: 'NOTIFY',
      params,
    },
  };
}
