/** Trade state machine of the sandbox — what Alipay does for page-pay trades — independent of
 * HTTP and of the API generation (v2 gateway and v3 share it). Every mutation persists the
 * store and, when the trade has a notify_url, enqueues a signed notification. */
import { randomInt } from 'node:crypto';
import type { SandboxConfig } from './config';
import { centsToYuan, DEFAULT_TIMEOUT_MS, formatCst, parseCst, parseTimeoutExpress, yuanToCents } from './format';
import { buildTradeNotification, refundedCents } from './notifications';
import type { Params } from './signing';
import type { RefundRecord, StateStore, Trade } from './store';

/** Alipay's business error body (inside `<method>_response`). */
export interface BizError {
  code: string;
  msg: string;
  sub_code: string;
  sub_msg: string;
}
export type BizResult = { ok: true; data: Record<string, string> } | { ok: false; error: BizError };
export type Biz = Record<string, unknown>;

export const bizFail = (sub_code: string, sub_msg: string): BizError => ({ code: '40004', msg: 'Business Failed', sub_code, sub_msg });
const invalid = (sub_msg: string): BizError => bizFail('ACQ.INVALID_PARAMETER', sub_msg);
const fail = (error: BizError): BizResult => ({ ok: false, error });
const success = (data: Record<string, string>): BizResult => ({ ok: true, data: { code: '10000', msg: 'Success', ...data } });

export type OpenResult = { ok: true; trade: Trade } | { ok: false; error: BizError };
export type PayResult = { ok: true; trade: Trade } | { ok: false; status: 404 | 409; error: BizError };

export interface Enqueuer {
  /** Must not persist: the trade service saves right after, before any timer can fire. */
  enqueue(outTradeNo: string, url: string, params: Params): void;
}

type TradeConfig = Pick<SandboxConfig, 'appId' | 'sellerId' | 'alipayPrivateKey'>;

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined;

export class TradeService {
  constructor(
    private readonly store: StateStore,
    private readonly cfg: TradeConfig,
    private readonly notifier: Enqueuer,
    private readonly now: () => number = Date.now,
  ) {}

  /** alipay.trade.page.pay opened in the browser: creates the trade, or returns the existing one
   * when the same out_trade_no comes back with the same amount (Alipay's idempotent reopen). */
  openPagePay(biz: Biz, notifyUrl: string | undefined, returnUrl: string | undefined): OpenResult {
    const outTradeNo = str(biz.out_trade_no);
    if (!outTradeNo || !/^[A-Za-z0-9_]{1,64}$/.test(outTradeNo)) {
      return { ok: false, error: invalid('out_trade_no is required: 1-64 letters, digits or _') };
    }
    const totalCents = yuanToCents(biz.total_amount);
    if (totalCents === null) {
      return { ok: false, error: invalid('total_amount must be a yuan amount 0.01-100000000.00 with at most 2 decimals') };
    }
    const subject = str(biz.subject);
    if (!subject || subject.length > 256) {
      return { ok: false, error: invalid('subject is required (max 256 chars)') };
    }
    const productCode = str(biz.product_code);
    if (productCode !== 'FAST_INSTANT_TRADE_PAY') {
      return { ok: false, error: invalid('product_code must be FAST_INSTANT_TRADE_PAY for alipay.trade.page.pay') };
    }
    for (const [name, url] of [
      ['notify_url', notifyUrl],
      ['return_url', returnUrl],
    ] as const) {
      if (url !== undefined && !/^https?:\/\/\S+$/.test(url)) {
        return { ok: false, error: invalid(`${name} must be an http(s) URL`) };
      }
    }

    const existing = this.store.trades.get(outTradeNo);
    if (existing) {
      if (existing.totalCents !== totalCents) {
        return {
          ok: false,
          error: bizFail(
            'ACQ.CONTEXT_INCONSISTENT',
            `交易信息被篡改: out_trade_no ${outTradeNo} was opened with total_amount ${centsToYuan(existing.totalCents)}`,
          ),
        };
      }
      this.settle(existing);
      return { ok: true, trade: existing };
    }

    const now = this.now();
    let expiresAt = now + DEFAULT_TIMEOUT_MS;
    const timeExpire = str(biz.time_expire);
    const timeoutExpress = str(biz.timeout_express);
    if (timeExpire !== undefined) {
      const at = parseCst(timeExpire);
      if (at === null) {
        return { ok: false, error: invalid('time_expire must be "yyyy-MM-dd HH:mm:ss" (UTC+8)') };
      }
      expiresAt = at;
    } else if (timeoutExpress !== undefined) {
      const at = parseTimeoutExpress(timeoutExpress, now);
      if (at === null) {
        return { ok: false, error: invalid('timeout_express must be 1m-15d, e.g. "90m", "2h", "1d" or "1c"') };
      }
      expiresAt = at;
    }

    const trade: Trade = {
      outTradeNo,
      tradeNo: null,
      status: 'WAIT_BUYER_PAY',
      totalCents,
      subject,
      body: str(biz.body),
      productCode,
      notifyUrl: notifyUrl ?? null,
      returnUrl: returnUrl ?? null,
      passbackParams: str(biz.passback_params),
      createdAt: now,
      expiresAt,
      paidAt: null,
      closedAt: null,
      buyerId: `2088${digits(12)}`,
      buyerLogonId: 'sandbox***@buyer.example',
      refunds: [],
      notifications: [],
    };
    this.store.trades.set(outTradeNo, trade);
    // An already-past time_expire yields a trade that is closed right away (and notified).
    if (!this.settle(trade)) {
      this.store.save();
    }
    return { ok: true, trade };
  }

  /** The buyer pays on the cashier (or a test says so). `force` pays a closed/expired trade:
   * a payment racing the merchant's close, which real Alipay can produce. */
  pay(outTradeNo: string, force: boolean): PayResult {
    const trade = this.store.trades.get(outTradeNo);
    if (!trade) {
      return { ok: false, status: 404, error: bizFail('ACQ.TRADE_NOT_EXIST', '交易不存在: the payUrl was never opened') };
    }
    this.settle(trade);
    if (trade.paidAt !== null) {
      return { ok: false, status: 409, error: bizFail('ACQ.TRADE_HAS_SUCCESS', '交易已被支付') };
    }
    if (trade.status === 'TRADE_CLOSED' && !force) {
      const why = trade.closedAt !== null && trade.closedAt >= trade.expiresAt ? 'expired' : 'closed';
      return { ok: false, status: 409, error: bizFail('ACQ.TRADE_HAS_CLOSE', `交易已关闭 (${why}); send {"force":true} to pay anyway`) };
    }
    const now = this.now();
    trade.tradeNo = this.newTradeNo(now);
    trade.status = 'TRADE_SUCCESS';
    trade.paidAt = now;
    trade.closedAt = null;
    this.emit(trade);
    this.store.save(trade);
    return { ok: true, trade };
  }

  query(biz: Biz): BizResult {
    const found = this.find(biz);
    if (!found.ok) {
      return found;
    }
    const t = found.trade;
    const paid = t.paidAt !== null ? centsToYuan(t.totalCents) : '0.00';
    const data: Record<string, string> = {
      out_trade_no: t.outTradeNo,
      trade_status: t.status,
      total_amount: centsToYuan(t.totalCents),
      buyer_pay_amount: paid,
      receipt_amount: paid,
      invoice_amount: paid,
      point_amount: '0.00',
    };
    if (t.tradeNo) {
      data.trade_no = t.tradeNo;
    }
    if (t.paidAt !== null) {
      Object.assign(data, {
        send_pay_date: formatCst(t.paidAt),
        buyer_logon_id: t.buyerLogonId,
        buyer_user_id: t.buyerId,
        buyer_user_type: 'PRIVATE',
      });
    }
    return success(data);
  }

  /** Closing an already closed (unpaid) trade succeeds again without a second notification. */
  close(biz: Biz): BizResult {
    const found = this.find(biz);
    if (!found.ok) {
      return found;
    }
    const t = found.trade;
    if (t.paidAt !== null) {
      return fail(bizFail('ACQ.TRADE_STATUS_ERROR', `交易状态不合法: trade is ${t.status}`));
    }
    if (t.status === 'WAIT_BUYER_PAY') {
      t.status = 'TRADE_CLOSED';
      t.closedAt = this.now();
      this.emit(t);
      this.store.save(t);
    }
    const data: Record<string, string> = { out_trade_no: t.outTradeNo };
    if (t.tradeNo) {
      data.trade_no = t.tradeNo;
    }
    return success(data);
  }

  /** Idempotent per out_request_no; the sum of refunds never exceeds the paid amount; the full
   * refund closes the trade (TRADE_CLOSED), as Alipay does. */
  refund(biz: Biz): BizResult {
    const found = this.find(biz);
    if (!found.ok) {
      return found;
    }
    const t = found.trade;
    const cents = yuanToCents(biz.refund_amount);
    if (cents === null) {
      return fail(invalid('refund_amount must be a yuan amount > 0 with at most 2 decimals'));
    }
    const outRequestNo = str(biz.out_request_no) ?? t.outTradeNo; // Alipay's default for a single full refund
    if (outRequestNo.length > 64) {
      return fail(invalid('out_request_no is at most 64 chars'));
    }

    const previous = t.refunds.find((r) => r.outRequestNo === outRequestNo);
    if (previous) {
      if (previous.refundCents !== cents) {
        return fail(
          bizFail(
            'ACQ.DISCORDANT_REPEAT_REQUEST',
            `再次请求的信息与之前的请求不一致: out_request_no ${outRequestNo} refunded ${centsToYuan(previous.refundCents)}`,
          ),
        );
      }
      return success(this.refundData(t, previous, 'N'));
    }
    if (t.paidAt === null) {
      return fail(bizFail('ACQ.TRADE_STATUS_ERROR', `交易状态不合法: trade is ${t.status} and was never paid`));
    }
    if (t.status === 'TRADE_CLOSED') {
      return fail(bizFail('ACQ.TRADE_HAS_CLOSE', '交易已关闭: already fully refunded'));
    }
    const already = refundedCents(t);
    if (already + cents > t.totalCents) {
      return fail(
        bizFail(
          'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL',
          `退款金额超限: paid ${centsToYuan(t.totalCents)}, refunded ${centsToYuan(already)}, requested ${centsToYuan(cents)}`,
        ),
      );
    }
    const record: RefundRecord = { outRequestNo, refundCents: cents, at: this.now(), reason: str(biz.refund_reason) };
    t.refunds.push(record);
    if (already + cents === t.totalCents) {
      t.status = 'TRADE_CLOSED';
      t.closedAt = record.at;
    }
    this.emit(t, record);
    this.store.save(t);
    return success(this.refundData(t, record, 'Y'));
  }

  /** alipay.trade.fastpay.refund.query: Alipay answers 10000 without refund_amount when the
   * out_request_no is unknown, so callers must check refund_status. */
  refundQuery(biz: Biz): BizResult {
    const found = this.find(biz);
    if (!found.ok) {
      return found;
    }
    const t = found.trade;
    const outRequestNo = str(biz.out_request_no) ?? t.outTradeNo;
    const data: Record<string, string> = { out_trade_no: t.outTradeNo, out_request_no: outRequestNo };
    if (t.tradeNo) {
      data.trade_no = t.tradeNo;
    }
    const r = t.refunds.find((x) => x.outRequestNo === outRequestNo);
    if (r) {
      Object.assign(data, {
        total_amount: centsToYuan(t.totalCents),
        refund_amount: centsToYuan(r.refundCents),
        refund_status: 'REFUND_SUCCESS',
        gmt_refund_pay: formatCst(r.at),
      });
    }
    return success(data);
  }

  get(outTradeNo: string): Trade | undefined {
    const t = this.store.trades.get(outTradeNo);
    if (t) {
      this.settle(t);
    }
    return t;
  }

  /** Closes every unpaid trade whose expiry has passed (called periodically). */
  expireDue(): void {
    for (const t of this.store.trades.values()) {
      this.settle(t);
    }
  }

  /** Applies a lazy expiry: WAIT_BUYER_PAY past expiresAt → TRADE_CLOSED (+ notification).
   * Returns true when it changed (and saved) the trade. */
  private settle(t: Trade): boolean {
    if (t.status !== 'WAIT_BUYER_PAY' || this.now() < t.expiresAt) {
      return false;
    }
    t.status = 'TRADE_CLOSED';
    t.closedAt = t.expiresAt;
    this.emit(t);
    this.store.save(t);
    return true;
  }

  private find(biz: Biz): { ok: true; trade: Trade } | { ok: false; error: BizError } {
    const tradeNo = str(biz.trade_no);
    const outTradeNo = str(biz.out_trade_no);
    if (!tradeNo && !outTradeNo) {
      return { ok: false, error: invalid('out_trade_no or trade_no is required') };
    }
    // Alipay: when both are given, trade_no wins.
    const trade = tradeNo ? this.store.findByTradeNo(tradeNo) : this.store.trades.get(outTradeNo!);
    if (!trade) {
      return { ok: false, error: bizFail('ACQ.TRADE_NOT_EXIST', '交易不存在') };
    }
    this.settle(trade);
    return { ok: true, trade };
  }

  private refundData(t: Trade, r: RefundRecord, fundChange: 'Y' | 'N'): Record<string, string> {
    return {
      trade_no: t.tradeNo ?? '',
      out_trade_no: t.outTradeNo,
      out_request_no: r.outRequestNo,
      buyer_logon_id: t.buyerLogonId,
      buyer_user_id: t.buyerId,
      fund_change: fundChange,
      refund_fee: centsToYuan(refundedCents(t)),
      send_back_fee: centsToYuan(r.refundCents),
      gmt_refund_pay: formatCst(r.at),
    };
  }

  private emit(t: Trade, refund?: RefundRecord): void {
    if (!t.notifyUrl) {
      return;
    } // no notify_url, no notification — as on Alipay
    this.notifier.enqueue(t.outTradeNo, t.notifyUrl, buildTradeNotification(t, this.cfg, this.now(), refund));
  }

  /** 28 digits like Alipay's: yyyyMMdd + "2200" + 16 random digits. */
  private newTradeNo(now: number): string {
    for (;;) {
      const no = `${formatCst(now).slice(0, 10).replaceAll('-', '')}2200${digits(16)}`;
      if (!this.store.findByTradeNo(no)) {
        return no;
      }
    }
  }
}

function digits(n: number): string {
  let s = '';
  while (s.length < n) {
    s += String(randomInt(0, 1_000_000)).padStart(6, '0');
  }
  return s.slice(0, n);
}
