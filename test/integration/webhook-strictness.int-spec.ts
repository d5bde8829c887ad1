import { http } from '@shop/shared/testing';
import { createSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ALIPAY_PRIVATE_KEY, APP_ID, MERCHANT_PRIVATE_KEY, notificationFor, postNotification, signNotification } from '../support/alipay';
import { buyerWithAddress, buyNow, createSku, startSystem, TestSystem } from '../support/system';

/** Alipay's rule, but RSA (SHA-1) instead of RSA2 — what an attacker holding a weak-hash forgery would send. */
function signSha1(params: Record<string, string>): Record<string, string> {
  const content = Object.keys(params)
    .filter((k) => k !== 'sign' && k !== 'sign_type' && params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  return { ...params, sign_type: 'RSA', sign: createSign('RSA-SHA1').update(content, 'utf8').sign(ALIPAY_PRIVATE_KEY, 'base64') };
}

/** Issue 10: the webhook and the return page trust only what SPEC §7 says they may. */
describe('webhook strictness (SPEC §7: RSA2 only)', () => {
  let sys: TestSystem;
  let payDb: Client;
  let logDir: string;
  beforeAll(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'webhook-logs-'));
    sys = await startSystem(
      ['user', 'inventory', 'cart', 'order', 'payment'],
      { LOG_LEVEL: 'warn', LOG_FILE: join(logDir, 'services.log'), PAYMENT_RECONCILE_INTERVAL_MS: '3600000' },
      { sandbox: { timeScale: 0.0001 } },
    );
    payDb = new Client({ connectionString: sys.databaseUrl.payment });
    await payDb.connect();
  });
  afterAll(async () => {
    await payDb.end();
    await sys.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  const pendingPayment = async (price = 500): Promise<{ orderSn: string }> => {
    const buyer = await buyerWithAddress(sys.url.user);
    const sku = await createSku(sys.url.inventory, { price, stock: 10 });
    const { submit } = await buyNow(sys, buyer, sku.id, 1);
    expect(submit.status).toBe(201);
    const orderSn = submit.body.orderSn as string;
    const res = await http('POST', `${sys.url.payment}/payments`, { token: buyer.token, body: { orderSn } });
    expect(res.status).toBe(201);
    return { orderSn };
  };
  const unchanged = async (orderSn: string): Promise<void> => {
    const { rows } = await payDb.query('SELECT status FROM payments WHERE order_sn = $1', [orderSn]);
    expect(rows[0].status).toBe('PENDING');
    const notes = await payDb.query('SELECT count(*)::int AS n FROM payment_notifications WHERE order_sn = $1', [orderSn]);
    expect(notes.rows[0].n).toBe(0);
  };
  const securityLog = (): string => readFileSync(join(logDir, 'services.log'), 'utf8');

  it('a notification declaring sign_type=RSA with a valid SHA-1 signature is refused: failure, nothing changes', async () => {
    const { orderSn } = await pendingPayment();
    const reply = await postNotification(sys.url.payment, signSha1(notificationFor(orderSn, '5.00')));
    expect(reply).toEqual({ status: 400, text: 'failure' });
    await unchanged(orderSn);
    expect(securityLog()).toContain('"reason":"sign_type not RSA2"');
  });

  it('charset other than utf-8 and notify_type other than trade_status_sync are refused, even validly signed', async () => {
    const { orderSn } = await pendingPayment();
    for (const over of [{ charset: 'gbk' }, { notify_type: 'batch_trans_notify' }] as Array<Record<string, string>>) {
      const reply = await postNotification(sys.url.payment, signNotification(notificationFor(orderSn, '5.00', over)));
      expect({ over, ...reply }).toEqual({ over, status: 400, text: 'failure' });
    }
    const without = Object.fromEntries(Object.entries(notificationFor(orderSn, '5.00')).filter(([k]) => k !== 'notify_type'));
    expect(await postNotification(sys.url.payment, signNotification(without))).toEqual({ status: 400, text: 'failure' });
    await unchanged(orderSn);
    expect(securityLog()).toContain('"reason":"unsupported charset gbk"');
    expect(securityLog()).toContain('"reason":"unsupported notify_type batch_trans_notify"');
  });

  it('a validly signed notification with an over-long notify_id or trade_no is failure/400 and a security event, never a 500', async () => {
    const { orderSn } = await pendingPayment();
    for (const over of [{ notify_id: 'n'.repeat(129) }, { trade_no: '2'.repeat(65) }] as Array<Record<string, string>>) {
      const reply = await postNotification(sys.url.payment, signNotification(notificationFor(orderSn, '5.00', over)));
      expect({ field: Object.keys(over)[0], ...reply }).toEqual({ field: Object.keys(over)[0], status: 400, text: 'failure' });
    }
    await unchanged(orderSn);
    expect(securityLog()).toContain('"reason":"malformed notify_id"');
    expect(securityLog()).toContain('"reason":"malformed trade_no"');
    // The longest legal values still apply.
    const longest = notificationFor(orderSn, '5.00', { notify_id: 'n'.repeat(128), trade_no: '2'.repeat(64) });
    expect(await postNotification(sys.url.payment, signNotification(longest))).toEqual({ status: 200, text: 'success' });
  });

  it('a NUL character in a notify form value is the plain-text failure of SPEC §7, not a JSON 400', async () => {
    const { orderSn } = await pendingPayment();
    const res = await fetch(`${sys.url.payment}/payments/alipay/notify`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `${new URLSearchParams(signNotification(notificationFor(orderSn, '5.00'))).toString()}&extra=a%00b`,
    });
    expect({ status: res.status, type: res.headers.get('content-type'), text: await res.text() }).toEqual({
      status: 400,
      type: 'text/plain; charset=utf-8',
      text: 'failure',
    });
    await unchanged(orderSn);
  });

  it('the return page shows a status only for parameters Alipay signed; anything else gets a neutral page', async () => {
    const { orderSn } = await pendingPayment();
    const returnParams = {
      method: 'alipay.trade.page.pay.return',
      app_id: APP_ID,
      charset: 'utf-8',
      version: '1.0',
      timestamp: '2026-11-21 10:00:00',
      out_trade_no: orderSn,
      trade_no: '2026112122001000000001',
      total_amount: '5.00',
    };
    const page = async (params: Record<string, string>): Promise<{ status: number; text: string }> => {
      const res = await fetch(`${sys.url.payment}/payments/alipay/return?${new URLSearchParams(params).toString()}`);
      return { status: res.status, text: await res.text() };
    };
    const signed = await page(signNotification(returnParams));
    expect(signed.status).toBe(200);
    expect(signed.text).toContain(`Order ${orderSn}: payment PENDING`);
    for (const params of [
      { out_trade_no: orderSn }, // a guessed orderSn
      signNotification(returnParams, MERCHANT_PRIVATE_KEY), // signed by someone else
      { ...signNotification(returnParams), out_trade_no: String(BigInt(orderSn) + 1n) }, // altered after signing
      signSha1(returnParams),
    ]) {
      const neutral = await page(params);
      expect(neutral.status).toBe(200);
      expect(neutral.text).not.toContain('PENDING');
      expect(neutral.text).not.toContain(orderSn);
      expect(neutral.text).toContain('Thank you');
    }
    // A refused return (NUL in a parameter) is §9's JSON, although the page route declares text/html.
    const refused = await fetch(`${sys.url.payment}/payments/alipay/return?out_trade_no=%00`);
    expect({ status: refused.status, type: refused.headers.get('content-type') }).toEqual({
      status: 400,
      type: 'application/json; charset=utf-8',
    });
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('VALIDATION.FAILED');
  });
});
