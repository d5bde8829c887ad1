// Test-side Alipay helpers, written independently of the payment service's code: notifications
// are signed here with node:crypto over Alipay's documented rule, so a shared mistake between our
// signer and our verifier cannot hide.
import { createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { http } from '@shop/shared/testing';

const KEYS = join(__dirname, '..', '..', 'tools', 'alipay-sandbox', 'keys');
export const ALIPAY_PRIVATE_KEY = readFileSync(join(KEYS, 'alipay-private.pem'), 'utf8');
export const MERCHANT_PRIVATE_KEY = readFileSync(join(KEYS, 'merchant-private.pem'), 'utf8');
export const APP_ID = '2021000000000001';

/** Alipay's async-notify rule: drop sign and sign_type, sort by key, join k=v with &, RSA2, base64. */
export function signNotification(params: Record<string, string>, privateKey = ALIPAY_PRIVATE_KEY): Record<string, string> {
  const content = Object.keys(params)
    .filter((k) => k !== 'sign' && k !== 'sign_type' && params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  const sign = createSign('RSA-SHA256').update(content, 'utf8').sign(privateKey, 'base64');
  return { ...params, sign_type: 'RSA2', sign };
}

export function notificationFor(orderSn: string, totalAmount: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    notify_id: `n-${orderSn}-${Math.random().toString(36).slice(2)}`,
    notify_type: 'trade_status_sync',
    notify_time: '2026-11-21 10:00:00',
    app_id: APP_ID,
    charset: 'utf-8',
    version: '1.0',
    trade_no: `2026112122001${orderSn.slice(-10)}`,
    out_trade_no: orderSn,
    trade_status: 'TRADE_SUCCESS',
    total_amount: totalAmount,
    receipt_amount: totalAmount,
    buyer_pay_amount: totalAmount,
    gmt_payment: '2026-11-21 10:00:00',
    seller_id: '2088000000000001',
    ...over,
  };
}

export async function postNotification(
  paymentUrl: string,
  params: Record<string, string> | string,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${paymentUrl}/payments/alipay/notify`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: typeof params === 'string' ? params : new URLSearchParams(params).toString(),
  });
  return { status: res.status, text: await res.text() };
}

export interface SandboxTrade {
  outTradeNo: string;
  tradeNo: string | null;
  status: string;
  totalAmount: string;
  refunds: Array<{ outRequestNo: string; refundAmount: string }>;
  notifications: Array<{ attempt: number; httpStatus: number | null; body: string | null; dropped: boolean; tradeStatus?: string }>;
}

export const sandbox = (url: string) => ({
  trade: async (sn: string): Promise<SandboxTrade> => (await http('GET', `${url}/sandbox/trades/${sn}`)).body,
  pay: (sn: string, body?: object) => http('POST', `${url}/sandbox/trades/${sn}/pay`, body ? { body } : {}),
  faults: async (faults: object) => {
    const res = await http('POST', `${url}/sandbox/faults`, { body: faults });
    if (res.status !== 200) {
      throw new Error(`sandbox refused faults ${JSON.stringify(faults)}: ${res.status} ${res.text}`);
    }
  },
  clearFaults: () => http('DELETE', `${url}/sandbox/faults`),
});
