import { createVerify, generateKeyPairSync } from 'node:crypto';
import { loadConfig } from './config';
import { buildReturnParams, buildTradeNotification } from './notifications';
import { parseV3Authorization, signedResponseBody, signV3Response, verifyRequestSignature, v3RequestContent, rsa2Sign } from './signing';
import type { Trade } from './store';
import { merchantSdk, readKey } from './test-helpers';

const cfg = loadConfig({});
const sdk = merchantSdk('http://127.0.0.1:1');
const alipayPublicKey = readKey('alipay-public.pem');

function paidTrade(overrides: Partial<Trade> = {}): Trade {
  const now = Date.now();
  return {
    outTradeNo: 'ORDER_1',
    tradeNo: '2024010122001234567890123456',
    status: 'TRADE_SUCCESS',
    totalCents: 8880,
    subject: 'Tea & cups = 2+1 件 (special/chars)',
    productCode: 'FAST_INSTANT_TRADE_PAY',
    notifyUrl: 'http://merchant.example/notify',
    returnUrl: null,
    createdAt: now - 1000,
    expiresAt: now + 60_000,
    paidAt: now,
    closedAt: null,
    buyerId: '2088123412341234',
    buyerLogonId: 'sandbox***@buyer.example',
    refunds: [],
    notifications: [],
    ...overrides,
  };
}

describe('async notification signature', () => {
  const params = buildTradeNotification(paidTrade(), cfg, Date.now());

  it('carries the documented Alipay parameters', () => {
    for (const key of [
      'notify_id',
      'notify_type',
      'notify_time',
      'app_id',
      'trade_no',
      'out_trade_no',
      'trade_status',
      'total_amount',
      'receipt_amount',
      'buyer_pay_amount',
      'gmt_payment',
      'seller_id',
      'charset',
      'version',
      'sign_type',
      'sign',
    ]) {
      expect(params[key]).toEqual(expect.any(String));
    }
    expect(params).toMatchObject({
      notify_type: 'trade_status_sync',
      trade_status: 'TRADE_SUCCESS',
      total_amount: '88.80',
      sign_type: 'RSA2',
      app_id: cfg.appId,
      seller_id: cfg.sellerId,
    });
    expect(params.notify_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('verifies with node:crypto over the documented rule (drop sign & sign_type, sort, k=v&..., raw values)', () => {
    const content = Object.keys(params)
      .filter((k) => k !== 'sign' && k !== 'sign_type')
      .sort()
      .map((k) => `${k}=${params[k]}`)
      .join('&');
    expect(createVerify('RSA-SHA256').update(content, 'utf8').verify(alipayPublicKey, params.sign, 'base64')).toBe(true);
  });

  it('is accepted by alipay-sdk checkNotifySign and checkNotifySignV2, also after a form round trip', () => {
    expect(sdk.checkNotifySign(params)).toBe(true);
    expect(sdk.checkNotifySignV2(params)).toBe(true);
    const wire = Object.fromEntries(new URLSearchParams(new URLSearchParams(params).toString()));
    expect(sdk.checkNotifySignV2(wire)).toBe(true);
  });

  it('is rejected when a value is tampered with', () => {
    expect(sdk.checkNotifySignV2({ ...params, total_amount: '0.01' })).toBe(false);
    expect(sdk.checkNotifySign({ ...params, trade_status: 'TRADE_CLOSED' })).toBe(false);
  });

  it('covers refund and close notifications and the return_url parameters', () => {
    const refunded = paidTrade({ refunds: [{ outRequestNo: 'R1', refundCents: 880, at: Date.now() }] });
    const refundParams = buildTradeNotification(refunded, cfg, Date.now(), refunded.refunds[0]);
    expect(refundParams).toMatchObject({ out_biz_no: 'R1', refund_fee: '8.80' });
    expect(sdk.checkNotifySignV2(refundParams)).toBe(true);
    const closed = buildTradeNotification(
      paidTrade({ status: 'TRADE_CLOSED', tradeNo: null, paidAt: null, closedAt: Date.now() }),
      cfg,
      Date.now(),
    );
    expect(closed.gmt_payment).toBeUndefined();
    expect(closed.gmt_close).toBeDefined();
    expect(sdk.checkNotifySignV2(closed)).toBe(true);
    expect(sdk.checkNotifySign(buildReturnParams(paidTrade(), cfg, Date.now()))).toBe(true);
  });
});

describe('v2 response signature', () => {
  it('is accepted by the SDK check over the raw xxx_response text', () => {
    const body = signedResponseBody(
      'alipay_trade_query_response',
      { code: '10000', msg: 'Success', subject: '}{"sign"' },
      cfg.alipayPrivateKey,
    );
    const sign = (JSON.parse(body) as { sign: string }).sign;
    expect(() => sdk.checkResponseSign(body, 'alipay_trade_query_response', sign, 't')).not.toThrow();
    const tampered = body.replace('10000', '10001');
    expect(() => sdk.checkResponseSign(tampered, 'alipay_trade_query_response', sign, 't')).toThrow(/验签失败/);
  });
});

describe('v2 request signature', () => {
  const signed = Object.fromEntries(new URLSearchParams(sdk.sdkExecute('alipay.trade.query', { bizContent: { outTradeNo: 'X & Y' } })));

  it('accepts what alipay-sdk signs (sign_type included in the content)', () => {
    const result = verifyRequestSignature(signed, cfg.merchantPublicKey);
    expect(result.ok).toBe(true);
    expect(result.content).toContain('sign_type=RSA2');
    expect(result.content).toContain('biz_content={"out_trade_no":"X & Y"}');
  });

  it('rejects tampered parameters and foreign keys', () => {
    expect(verifyRequestSignature({ ...signed, biz_content: '{"out_trade_no":"Z"}' }, cfg.merchantPublicKey).ok).toBe(false);
    const other = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
    expect(verifyRequestSignature(signed, other.publicKey).ok).toBe(false);
    expect(verifyRequestSignature({ ...signed, sign: 'not base64!' }, cfg.merchantPublicKey).ok).toBe(false);
  });
});

describe('v3 signatures', () => {
  it('parses the authorization header and verifies its content', () => {
    const authString = `app_id=${cfg.appId},nonce=abc,timestamp=1700000000000`;
    const content = `${authString}\nPOST\n/v3/alipay/trade/query\n{"out_trade_no":"1"}\n`;
    const header = `ALIPAY-SHA256withRSA ${authString},sign=${rsa2Sign(content, readKey('merchant-private.pem'))}`;
    const auth = parseV3Authorization(header)!;
    expect(auth.fields).toMatchObject({ app_id: cfg.appId, nonce: 'abc', timestamp: '1700000000000' });
    expect(v3RequestContent(auth, 'POST', '/v3/alipay/trade/query', '{"out_trade_no":"1"}')).toBe(content);
    expect(parseV3Authorization('Bearer x')).toBeNull();
  });

  it('signs responses the way the SDK verifies them', () => {
    const h = signV3Response('{"a":1}', cfg.alipayPrivateKey);
    const ok = createVerify('RSA-SHA256')
      .update(`${h['alipay-timestamp']}\n${h['alipay-nonce']}\n{"a":1}\n`)
      .verify(alipayPublicKey, h['alipay-signature'], 'base64');
    expect(ok).toBe(true);
  });
});
