/** The sandbox over real HTTP, driven by the unmodified alipay-sdk as the merchant would. */
import { generateKeyPairSync } from 'node:crypto';
import type { AlipaySdk } from 'alipay-sdk';
import { formatCst } from './format';
import { getTrade, merchantSdk, openPayUrl, pay, startSandbox, uniqueOrderNo, waitFor, type RunningSandbox } from './test-helpers';

let sb: RunningSandbox;
let sdk: AlipaySdk;

beforeAll(async () => {
  sb = await startSandbox();
  sdk = merchantSdk(sb.url);
});
afterAll(async () => {
  await sb.stop();
});

/** exec() with response signature verification on, as the payment service should call it. */
const exec = (method: string, bizContent: Record<string, unknown>) => sdk.exec(method, { bizContent }, { validateSign: true });

describe('page pay (pageExecute)', () => {
  it('GET payUrl shows the cashier and creates a WAIT_BUYER_PAY trade', async () => {
    const no = uniqueOrderNo();
    const { status, html } = await openPayUrl(
      sdk,
      { outTradeNo: no, totalAmount: '88.80', subject: 'Two cups' },
      { notifyUrl: 'http://127.0.0.1:9/notify' },
    );
    expect(status).toBe(200);
    expect(html).toContain(`action="${sb.url}/sandbox/trades/${no}/pay"`);
    expect(html).toContain('id="pay"');
    const trade = await getTrade(sb.url, no);
    expect(trade).toMatchObject({
      outTradeNo: no,
      status: 'WAIT_BUYER_PAY',
      totalAmount: '88.80',
      tradeNo: null,
      refunds: [],
      notifications: [],
    });
  });

  it('POST form from pageExecute (default) works too', async () => {
    const no = uniqueOrderNo();
    const formHtml = sdk.pageExecute('alipay.trade.page.pay', {
      bizContent: { outTradeNo: no, totalAmount: 10, subject: 'Quote "this"', productCode: 'FAST_INSTANT_TRADE_PAY' },
    });
    const action = /action="([^"]+)"/.exec(formHtml)![1];
    const fields = new URLSearchParams();
    for (const m of formHtml.matchAll(/name="([^"]+)" value="([^"]*)"/g)) {
      fields.set(m[1], m[2].replace(/&quot;/g, '"'));
    }
    const res = await fetch(action, { method: 'POST', body: fields });
    expect(res.status).toBe(200);
    expect((await getTrade(sb.url, no)).totalAmount).toBe('10.00');
  });

  it('reopening with the same amount is idempotent; a different amount is an error', async () => {
    const no = uniqueOrderNo();
    expect((await openPayUrl(sdk, { outTradeNo: no, totalAmount: '5.00' })).status).toBe(200);
    expect((await openPayUrl(sdk, { outTradeNo: no, totalAmount: '5' })).status).toBe(200);
    const other = await openPayUrl(sdk, { outTradeNo: no, totalAmount: '6.00' });
    expect(other.status).toBe(400);
    expect(other.html).toContain('ACQ.CONTEXT_INCONSISTENT');
    expect((await getTrade(sb.url, no)).totalAmount).toBe('5.00');
  });

  it('rejects a tampered payUrl (invalid signature) without creating a trade', async () => {
    const no = uniqueOrderNo();
    const payUrl = sdk.pageExecute('alipay.trade.page.pay', 'GET', {
      bizContent: { outTradeNo: no, totalAmount: '100.00', subject: 's', productCode: 'FAST_INSTANT_TRADE_PAY' },
    });
    const res = await fetch(payUrl.replace(encodeURIComponent('"100.00"'), encodeURIComponent('"0.01"')));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('isv.invalid-signature');
    expect((await fetch(`${sb.url}/sandbox/trades/${no}`)).status).toBe(404);
  });

  it('validates biz_content (product_code, amount, time_expire)', async () => {
    const no = uniqueOrderNo();
    expect((await openPayUrl(sdk, { outTradeNo: no, totalAmount: '1.00', productCode: 'QUICK_WAP_WAY' })).status).toBe(400);
    expect((await openPayUrl(sdk, { outTradeNo: no, totalAmount: '1.001' })).status).toBe(400);
    expect((await openPayUrl(sdk, { outTradeNo: no, totalAmount: '1.00', timeExpire: '2030-01-01T00:00:00Z' })).status).toBe(400);
  });

  it('a past time_expire yields a closed trade; paying needs force and then succeeds', async () => {
    const no = uniqueOrderNo();
    const opened = await openPayUrl(sdk, { outTradeNo: no, totalAmount: '3.00', timeExpire: formatCst(Date.now() - 60_000) });
    expect(opened.status).toBe(409);
    expect((await getTrade(sb.url, no)).status).toBe('TRADE_CLOSED');
    const refused = await pay(sb.url, no);
    expect(refused.status).toBe(409);
    const forced = await pay(sb.url, no, { force: true });
    expect(forced.status).toBe(200);
    expect(await forced.json()).toMatchObject({ status: 'TRADE_SUCCESS', tradeNo: expect.stringMatching(/^\d{16,}$/) });
  });

  it('closes the trade when time_expire passes (interpreted as UTC+8)', async () => {
    const no = uniqueOrderNo();
    await openPayUrl(sdk, { outTradeNo: no, totalAmount: '3.00', timeExpire: formatCst(Date.now() + 1500) });
    expect((await exec('alipay.trade.query', { outTradeNo: no })).tradeStatus).toBe('WAIT_BUYER_PAY');
    await waitFor(async () => (await getTrade(sb.url, no)).status === 'TRADE_CLOSED', 'expiry', 5000);
    expect((await exec('alipay.trade.query', { outTradeNo: no })).tradeStatus).toBe('TRADE_CLOSED');
  });

  it('the cashier Pay button pays and redirects to return_url with signed parameters', async () => {
    const no = uniqueOrderNo();
    const { html } = await openPayUrl(sdk, { outTradeNo: no, totalAmount: '12.34' }, { returnUrl: 'http://shop.example/paid?from=alipay' });
    const action = /<form method="post" action="([^"]+)"/.exec(html)![1];
    const res = await fetch(action, { method: 'POST', body: new URLSearchParams(), redirect: 'manual' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('http://shop.example/paid');
    const params = Object.fromEntries(location.searchParams);
    expect(params).toMatchObject({ from: 'alipay', out_trade_no: no, total_amount: '12.34', method: 'alipay.trade.page.pay.return' });
    const { from: _from, ...signed } = params;
    expect(sdk.checkNotifySignV2(signed)).toBe(true);
  });
});

describe('pay endpoint', () => {
  it('404 for an unknown trade, 200 then 409 for a double payment', async () => {
    expect((await pay(sb.url, 'NEVER_OPENED')).status).toBe(404);
    const no = uniqueOrderNo();
    await openPayUrl(sdk, { outTradeNo: no, totalAmount: '1.00' });
    const res = await pay(sb.url, no);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { tradeNo: string; status: string; paidAt: string };
    expect(body.status).toBe('TRADE_SUCCESS');
    expect(body.tradeNo).toMatch(/^\d{16,}$/);
    expect(body.paidAt).toEqual(expect.any(String));
    expect((await pay(sb.url, no)).status).toBe(409);
    expect((await pay(sb.url, no, { force: true })).status).toBe(409);
  });
});

describe('alipay.trade.query / close / refund (exec)', () => {
  it('query: unknown → ACQ.TRADE_NOT_EXIST; paid → Alipay fields', async () => {
    expect(await exec('alipay.trade.query', { outTradeNo: 'NOPE' })).toMatchObject({ code: '40004', subCode: 'ACQ.TRADE_NOT_EXIST' });
    const no = uniqueOrderNo();
    await openPayUrl(sdk, { outTradeNo: no, totalAmount: '88.80' });
    await pay(sb.url, no);
    const q = await exec('alipay.trade.query', { outTradeNo: no });
    expect(q).toMatchObject({
      code: '10000',
      msg: 'Success',
      outTradeNo: no,
      tradeStatus: 'TRADE_SUCCESS',
      totalAmount: '88.80',
      buyerPayAmount: '88.80',
    });
    expect(q.tradeNo).toMatch(/^\d{16,}$/);
    expect(q.sendPayDate).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(await exec('alipay.trade.query', { tradeNo: q.tradeNo })).toMatchObject({ outTradeNo: no });
  });

  it('close: unpaid → closed (idempotent); paid → ACQ.TRADE_STATUS_ERROR; unknown → ACQ.TRADE_NOT_EXIST', async () => {
    const no = uniqueOrderNo();
    await openPayUrl(sdk, { outTradeNo: no, totalAmount: '2.00' });
    expect(await exec('alipay.trade.close', { outTradeNo: no })).toMatchObject({ code: '10000', outTradeNo: no });
    expect((await getTrade(sb.url, no)).status).toBe('TRADE_CLOSED');
    expect(await exec('alipay.trade.close', { outTradeNo: no })).toMatchObject({ code: '10000' });
    expect((await pay(sb.url, no)).status).toBe(409);
    expect((await pay(sb.url, no, { force: true })).status).toBe(200); // the buyer's payment crossed the close
    expect(await exec('alipay.trade.close', { outTradeNo: no })).toMatchObject({ code: '40004', subCode: 'ACQ.TRADE_STATUS_ERROR' });
    expect(await exec('alipay.trade.close', { outTradeNo: 'NOPE' })).toMatchObject({ code: '40004', subCode: 'ACQ.TRADE_NOT_EXIST' });
  });

  it('refund: partial, idempotent repeat, over-refund rejected, full refund closes the trade', async () => {
    const no = uniqueOrderNo();
    await openPayUrl(sdk, { outTradeNo: no, totalAmount: '100.00' });
    expect(await exec('alipay.trade.refund', { outTradeNo: no, refundAmount: '10.00', outRequestNo: 'R0' })).toMatchObject({
      code: '40004',
      subCode: 'ACQ.TRADE_STATUS_ERROR',
    });
    await pay(sb.url, no);

    expect(await exec('alipay.trade.refund', { outTradeNo: no, refundAmount: '30.00', outRequestNo: 'R1' })).toMatchObject({
      code: '10000',
      fundChange: 'Y',
      refundFee: '30.00',
    });
    expect(await exec('alipay.trade.refund', { outTradeNo: no, refundAmount: '30.00', outRequestNo: 'R1' })).toMatchObject({
      code: '10000',
      fundChange: 'N',
      refundFee: '30.00',
    });
    expect(await exec('alipay.trade.refund', { outTradeNo: no, refundAmount: '31.00', outRequestNo: 'R1' })).toMatchObject({
      code: '40004',
      subCode: 'ACQ.DISCORDANT_REPEAT_REQUEST',
    });
    expect(await exec('alipay.trade.refund', { outTradeNo: no, refundAmount: '70.01', outRequestNo: 'R2' })).toMatchObject({
      code: '40004',
      subCode: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL',
    });
    expect((await getTrade(sb.url, no)).refunds).toHaveLength(1);

    expect(await exec('alipay.trade.refund', { outTradeNo: no, refundAmount: '70.00', outRequestNo: 'R2' })).toMatchObject({
      code: '10000',
      fundChange: 'Y',
      refundFee: '100.00',
    });
    const trade = await getTrade(sb.url, no);
    expect(trade.status).toBe('TRADE_CLOSED');
    expect(trade.refunds.map((r) => [r.outRequestNo, r.refundAmount])).toEqual([
      ['R1', '30.00'],
      ['R2', '70.00'],
    ]);
    expect(await exec('alipay.trade.refund', { outTradeNo: no, refundAmount: '70.00', outRequestNo: 'R2' })).toMatchObject({
      code: '10000',
      fundChange: 'N',
      refundFee: '100.00',
    });
    expect(await exec('alipay.trade.refund', { outTradeNo: no, refundAmount: '0.01', outRequestNo: 'R3' })).toMatchObject({
      code: '40004',
    });
    expect(await exec('alipay.trade.query', { outTradeNo: no })).toMatchObject({ tradeStatus: 'TRADE_CLOSED' });

    expect(await exec('alipay.trade.fastpay.refund.query', { outTradeNo: no, outRequestNo: 'R1' })).toMatchObject({
      code: '10000',
      refundAmount: '30.00',
      refundStatus: 'REFUND_SUCCESS',
    });
    expect(await exec('alipay.trade.fastpay.refund.query', { outTradeNo: no, outRequestNo: 'R9' })).not.toHaveProperty('refundStatus');
  });
});

describe('request authentication', () => {
  it('rejects a forged merchant signature with isv.invalid-signature (signed response)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
    const forger = merchantSdk(sb.url, { privateKey });
    const res = await forger.exec('alipay.trade.query', { bizContent: { outTradeNo: 'X' } }, { validateSign: true });
    expect(res).toMatchObject({ code: '40002', msg: 'Invalid Arguments', subCode: 'isv.invalid-signature' });
  });

  it('rejects a foreign app_id', async () => {
    const other = merchantSdk(sb.url, { appId: '2021000000000999' });
    expect(await other.exec('alipay.trade.query', { bizContent: { outTradeNo: 'X' } }, { validateSign: true })).toMatchObject({
      code: '40002',
      subCode: 'isv.invalid-app-id',
    });
  });

  it('rejects unknown methods and requests without a signature', async () => {
    expect(await sdk.exec('alipay.trade.create', { bizContent: {} }, { validateSign: true })).toMatchObject({
      code: '40002',
      subCode: 'isv.invalid-method',
    });
    const res = await fetch(
      `${sb.url}/gateway.do?method=alipay.trade.query&app_id=2021000000000001&sign_type=RSA2&timestamp=2024-01-01+00:00:00&version=1.0`,
      { method: 'POST' },
    );
    expect(JSON.parse(await res.text())).toMatchObject({
      alipay_trade_query_response: { code: '40001', sub_code: 'isv.missing-signature' },
    });
  });
});

describe('OpenAPI v3 (curl)', () => {
  it('queries, closes and refunds with verified response signatures', async () => {
    const no = uniqueOrderNo();
    await openPayUrl(sdk, { outTradeNo: no, totalAmount: '9.99' });
    const q = await sdk.curl<{ trade_status: string }>('POST', '/v3/alipay/trade/query', { body: { out_trade_no: no } });
    expect(q.responseHttpStatus).toBe(200);
    expect(q.data).toMatchObject({ out_trade_no: no, trade_status: 'WAIT_BUYER_PAY', total_amount: '9.99' });
    await pay(sb.url, no);
    const r = await sdk.curl('POST', '/v3/alipay/trade/refund', {
      body: { out_trade_no: no, refund_amount: '1.00', out_request_no: 'V3R1' },
    });
    expect(r.data).toMatchObject({ fund_change: 'Y', refund_fee: '1.00' });
    await expect(sdk.curl('POST', '/v3/alipay/trade/close', { body: { out_trade_no: no } })).rejects.toMatchObject({
      code: 'TRADE_STATUS_ERROR',
      responseHttpStatus: 400,
    });
    await expect(sdk.curl('POST', '/v3/alipay/trade/query', { body: { out_trade_no: 'NOPE' } })).rejects.toMatchObject({
      code: 'TRADE_NOT_EXIST',
    });
  });

  it('rejects a forged v3 signature with 401', async () => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
    const forger = merchantSdk(sb.url, { privateKey });
    await expect(forger.curl('POST', '/v3/alipay/trade/query', { body: { out_trade_no: 'X' } })).rejects.toMatchObject({
      code: 'invalid-signature',
      responseHttpStatus: 401,
    });
  });
});

it('GET /health/live → 200', async () => {
  expect((await fetch(`${sb.url}/health/live`)).status).toBe(200);
});

describe('sandbox admin routes with hostile paths', () => {
  it('a malformed % escape in /sandbox/trades/:x or /sandbox/cashier/:x is 400, not 500', async () => {
    for (const path of ['/sandbox/trades/%E0%A4%A', '/sandbox/trades/%zz', '/sandbox/cashier/%', '/sandbox/trades/%ff/pay']) {
      const method = path.endsWith('/pay') ? 'POST' : 'GET';
      const res = await fetch(`${sb.url}${path}`, { method });
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
    }
  });
});
