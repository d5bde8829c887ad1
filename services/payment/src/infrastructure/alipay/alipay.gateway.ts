import { Inject, Injectable } from '@nestjs/common';
import { centsToYuan, UpstreamUnavailableError } from '@shop/shared';
import { PLATFORM_CONFIG } from '@shop/shared/nest';
import { AlipaySdk } from 'alipay-sdk';
import { readFileSync } from 'node:fs';
import { PaymentEnv } from '../../config/payment-env';

export type TradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_FINISHED' | 'TRADE_CLOSED';

export interface TradeQueryResult {
  exists: boolean;
  tradeStatus?: TradeStatus;
  tradeNo?: string;
  totalAmount?: string;
  paidAt?: string;
}

/** Alipay's wall-clock format, in China Standard Time (UTC+8), as its APIs expect. */
export function toAlipayTime(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The merchant side of Alipay through the official SDK: requests signed RSA2 with our private
 * key, responses and notifications verified with Alipay's public key.
 */
@Injectable()
export class AlipayGateway {
  private readonly sdk: AlipaySdk;

  constructor(@Inject(PLATFORM_CONFIG) private readonly config: PaymentEnv) {
    this.sdk = new AlipaySdk({
      appId: config.ALIPAY_APP_ID,
      privateKey: readFileSync(config.ALIPAY_MERCHANT_PRIVATE_KEY_PATH, 'utf8'),
      alipayPublicKey: readFileSync(config.ALIPAY_PUBLIC_KEY_PATH, 'utf8'),
      gateway: config.ALIPAY_GATEWAY_URL,
      keyType: 'PKCS1',
      signType: 'RSA2',
      timeout: 10000,
    });
  }

  /**
   * The cashier URL for the buyer; the trade expires with the order's pay deadline. It is opened by
   * the buyer's browser, so it points at the browser-facing gateway (ALIPAY_BROWSER_GATEWAY_URL) and
   * returns to the browser-facing base (PAYMENT_BROWSER_URL); the notify URL stays server-to-server.
   */
  pagePayUrl(orderSn: string, amountCents: number, subject: string, expiresAt: Date): string {
    const browserBase = this.config.PAYMENT_BROWSER_URL ?? this.config.PAYMENT_PUBLIC_URL;
    const url = this.sdk.pageExecute('alipay.trade.page.pay', 'GET', {
      bizContent: {
        outTradeNo: orderSn,
        totalAmount: centsToYuan(amountCents),
        subject,
        productCode: 'FAST_INSTANT_TRADE_PAY',
        timeExpire: toAlipayTime(expiresAt),
      },
      notifyUrl: `${this.config.PAYMENT_PUBLIC_URL}/payments/alipay/notify`,
      returnUrl: `${browserBase}/payments/alipay/return`,
    });
    const browserGateway = this.config.ALIPAY_BROWSER_GATEWAY_URL;
    // The SDK builds `<gateway>?<signed query>`; the signature covers the query, not the host.
    return browserGateway && url.startsWith(this.config.ALIPAY_GATEWAY_URL)
      ? browserGateway + url.slice(this.config.ALIPAY_GATEWAY_URL.length)
      : url;
  }

  /**
   * RSA2 over Alipay's rule (drop sign/sign_type, sort, join raw values). RSA2 only (SPEC §7): the
   * SDK would verify whatever `sign_type` the sender declares, SHA-1 included.
   */
  verifyNotification(params: Record<string, string>): boolean {
    if (params.sign_type !== 'RSA2') {
      return false;
    }
    try {
      return this.sdk.checkNotifySignV2(params);
    } catch {
      return false;
    }
  }

  async query(orderSn: string): Promise<TradeQueryResult> {
    const r = await this.exec('alipay.trade.query', { outTradeNo: orderSn });
    if (r.code !== '10000') {
      if (r.subCode === 'ACQ.TRADE_NOT_EXIST') {
        return { exists: false };
      }
      throw new UpstreamUnavailableError('alipay');
    }
    return {
      exists: true,
      tradeStatus: r.tradeStatus as TradeStatus,
      tradeNo: r.tradeNo as string | undefined,
      totalAmount: r.totalAmount as string | undefined,
      paidAt: r.sendPayDate as string | undefined,
    };
  }

  /**
   * 'CLOSED' (now, or already), 'NOT_EXIST' (the cashier was never opened), or 'NOT_CLOSABLE'
   * (ACQ.TRADE_STATUS_ERROR: typically paid — the caller must query to know).
   */
  async close(orderSn: string): Promise<'CLOSED' | 'NOT_EXIST' | 'NOT_CLOSABLE'> {
    const r = await this.exec('alipay.trade.close', { outTradeNo: orderSn });
    if (r.code === '10000') {
      return 'CLOSED';
    }
    if (r.subCode === 'ACQ.TRADE_NOT_EXIST') {
      return 'NOT_EXIST';
    }
    if (r.subCode === 'ACQ.TRADE_STATUS_ERROR') {
      return 'NOT_CLOSABLE';
    }
    throw new UpstreamUnavailableError('alipay');
  }

  /**
   * Idempotent at Alipay per outRequestNo: a repeat never moves money twice. Unreachable, a bad
   * signature or Alipay's code 20000 (service unavailable) → UpstreamUnavailableError (try again
   * later); any other answer is Alipay refusing this refund → AlipayRefusedError (trying again will
   * not help).
   */
  async refund(orderSn: string, amountCents: number, outRequestNo: string): Promise<{ refundFee: string; fundChange: string }> {
    const r = await this.exec('alipay.trade.refund', { outTradeNo: orderSn, refundAmount: centsToYuan(amountCents), outRequestNo });
    if (r.code === '20000') {
      throw new UpstreamUnavailableError('alipay');
    }
    if (r.code !== '10000') {
      throw new AlipayRefusedError('alipay.trade.refund', r.code, r.subCode);
    }
    return { refundFee: String(r.refundFee), fundChange: String(r.fundChange) };
  }

  private async exec(
    method: string,
    bizContent: Record<string, unknown>,
  ): Promise<Record<string, unknown> & { code?: string; subCode?: string }> {
    try {
      return await this.sdk.exec(method, { bizContent }, { validateSign: true });
    } catch {
      throw new UpstreamUnavailableError('alipay'); // transport error or a response with a bad signature
    }
  }
}

/** Alipay answered, and the answer is no (a business error such as ACQ.TRADE_NOT_EXIST). */
export class AlipayRefusedError extends Error {
  constructor(
    readonly method: string,
    readonly code: string | undefined,
    readonly subCode: string | undefined,
  ) {
    super(`${method} refused by Alipay: ${code ?? '?'} ${subCode ?? ''}`.trim());
  }
}
