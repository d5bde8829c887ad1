import { centsToYuan } from '@shop/shared';
import { LockService } from '@shop/shared/nest';
import { http, pollUntil } from '@shop/shared/testing';
import Redis from 'ioredis';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { toAlipayTime } from '../../services/payment/src/infrastructure/alipay/alipay.gateway';
import { ReconciliationJob } from '../../services/payment/src/reconciliation/reconciliation.job';
import { RefundService } from '../../services/payment/src/refunds/refund.service';
import { APP_ID, MERCHANT_PRIVATE_KEY, notificationFor, postNotification, sandbox, signNotification } from '../support/alipay';
import { buyerWithAddress, buyNow, createSku, INTERNAL_TOKEN, startSystem, TestSystem, TestUser } from '../support/system';

type Buyer = TestUser & { addressId: number };

describe('payments through the Alipay sandbox (real sandbox, real databases)', () => {
  let sys: TestSystem;
  let payDb: Client;
  let logDir: string;
  let alipay: ReturnType<typeof sandbox>;
  beforeAll(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'payment-logs-'));
    sys = await startSystem(
      ['user', 'inventory', 'cart', 'order', 'payment'],
      {
        LOG_LEVEL: 'warn',
        LOG_FILE: join(logDir, 'services.log'),
        PAYMENT_RECONCILE_AFTER_SECONDS: '0',
        PAYMENT_RECONCILE_INTERVAL_MS: '3600000',
        STOCK_LOCK_SWEEP_INTERVAL_MS: '3600000',
      },
      { sandbox: { timeScale: 0.0001 } },
    );
    alipay = sandbox(sys.sandboxUrl!);
    payDb = new Client({ connectionString: sys.databaseUrl.payment });
    await payDb.connect();
  });
  afterEach(() => alipay.clearFaults());
  afterAll(async () => {
    await payDb.end();
    await sys.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  const placeOrder = async (price = 8880): Promise<{ buyer: Buyer; orderSn: string; amount: number }> => {
    const buyer = await buyerWithAddress(sys.url.user);
    const s = await createSku(sys.url.inventory, { price, stock: 10 });
    const { submit } = await buyNow(sys, buyer, s.id, 1);
    expect(submit.status).toBe(201);
    return { buyer, orderSn: submit.body.orderSn, amount: price };
  };
  const startPayment = async (buyer: Buyer, orderSn: string) => {
    const res = await http('POST', `${sys.url.payment}/payments`, { token: buyer.token, body: { orderSn } });
    expect(res.status).toBe(201);
    const cashier = await fetch(res.body.payUrl); // the buyer opens the cashier: the trade now exists
    expect(cashier.status).toBe(200);
    return res.body as { orderSn: string; status: string; amount: number; payUrl: string };
  };
  const payment = async (sn: string) => (await payDb.query('SELECT * FROM payments WHERE order_sn = $1', [sn])).rows[0];
  const outbox = async (sn: string) =>
    (await payDb.query('SELECT type FROM outbox_events WHERE message_key = $1 ORDER BY id', [sn])).rows.map((r) => r.type);
  const notificationRows = async (sn: string) =>
    (await payDb.query('SELECT count(*)::int AS n FROM payment_notifications WHERE order_sn = $1', [sn])).rows[0].n;
  const paid = (sn: string) => pollUntil(async () => (await payment(sn)).status === 'PAID', { what: `payment ${sn} PAID` });

  it('happy path: POST /payments, the buyer pays in the sandbox, the notification makes it PAID, one PaymentSucceeded', async () => {
    const { buyer, orderSn, amount } = await placeOrder(8880);
    const res = await http('POST', `${sys.url.payment}/payments`, { token: buyer.token, body: { orderSn } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ orderSn, status: 'PENDING', amount });
    const bizContent = JSON.parse(new URL(res.body.payUrl).searchParams.get('biz_content')!);
    const order = (await http('GET', `${sys.url.order}/orders/${orderSn}`, { token: buyer.token })).body;
    expect(bizContent).toMatchObject({
      out_trade_no: orderSn,
      total_amount: '88.80',
      time_expire: toAlipayTime(new Date(order.payDeadline)),
    });
    const again = await http('POST', `${sys.url.payment}/payments`, { token: buyer.token, body: { orderSn } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ orderSn, status: 'PENDING', amount });

    expect((await fetch(res.body.payUrl)).status).toBe(200);
    expect((await alipay.pay(orderSn)).status).toBe(200);
    await paid(orderSn);
    const view = await http('GET', `${sys.url.payment}/payments/${orderSn}`, { token: buyer.token });
    expect(view.body).toMatchObject({
      orderSn,
      status: 'PAID',
      amount,
      tradeNo: expect.stringMatching(/^\d+$/),
      paidAt: expect.any(String),
    });
    expect(await outbox(orderSn)).toEqual(['PaymentSucceeded']);
    const trade = await alipay.trade(orderSn);
    expect(trade.notifications.map((n) => n.body)).toEqual(['success']);
    // The browser's return shows the status for parameters Alipay signed (webhook-strictness.int-spec.ts: only those).
    const returned = signNotification({
      method: 'alipay.trade.page.pay.return',
      app_id: APP_ID,
      out_trade_no: orderSn,
      total_amount: '88.80',
    });
    const ret = await fetch(`${sys.url.payment}/payments/alipay/return?${new URLSearchParams(returned).toString()}`);
    expect(await ret.text()).toContain(`Order ${orderSn}: payment PAID`);
  });

  it('50 copies of one notification delivered concurrently: one state change, one event, every reply success', async () => {
    const { buyer, orderSn } = await placeOrder(1999);
    await startPayment(buyer, orderSn);
    await alipay.faults({ duplicate: 49 });
    await alipay.pay(orderSn);
    const trade = await pollUntil(
      async () => {
        const t = await alipay.trade(orderSn);
        return t.notifications.length === 50 && t.notifications.every((n) => n.httpStatus !== null) ? t : null;
      },
      { what: '50 deliveries' },
    );
    expect(trade.notifications.map((n) => n.body)).toEqual(Array(50).fill('success'));
    expect((await payment(orderSn)).status).toBe('PAID');
    expect(await outbox(orderSn)).toEqual(['PaymentSucceeded']);
    expect(await notificationRows(orderSn)).toBe(1);
  });

  it('forged, altered, foreign, unknown and malformed notifications are refused: failure, nothing changes, a security event is logged', async () => {
    const { buyer, orderSn } = await placeOrder(500);
    await startPayment(buyer, orderSn);
    const good = notificationFor(orderSn, '5.00');
    const cases: Array<[string, Record<string, string> | string]> = [
      ['forged signature (signed with the wrong key)', signNotification(good, MERCHANT_PRIVATE_KEY)],
      ['amount altered after signing', { ...signNotification(good), total_amount: '0.01' }],
      ['altered amount, validly signed', signNotification({ ...good, total_amount: '0.01' })],
      ['another app', signNotification({ ...good, app_id: '2021999999999999' })],
      ['unknown out_trade_no', signNotification({ ...good, out_trade_no: '999999999999999999' })],
      ['missing notify_id', signNotification(Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'notify_id')))],
      ['unknown trade_status', signNotification({ ...good, trade_status: 'TRADE_HACKED' })],
      ['no signature at all', good],
      ['not a form', 'this is not a form'],
      ['repeated keys', `${new URLSearchParams(signNotification(good)).toString()}&out_trade_no=1`],
      ['more form fields than the parser accepts', Array.from({ length: 1500 }, (_, i) => `k${i}=v`).join('&')],
    ];
    for (const [label, params] of cases) {
      const reply = await postNotification(sys.url.payment, params);
      expect({ label, ...reply }).toEqual({ label, status: 400, text: 'failure' });
    }
    const json = await fetch(`${sys.url.payment}/payments/alipay/notify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"broken":',
    });
    expect({ status: json.status, text: await json.text(), type: json.headers.get('content-type') }).toEqual({
      status: 400,
      text: 'failure',
      type: 'text/plain; charset=utf-8',
    });
    expect((await payment(orderSn)).status).toBe('PENDING');
    expect(await notificationRows(orderSn)).toBe(0);
    expect(await outbox(orderSn)).toEqual([]);
    const log = readFileSync(join(logDir, 'services.log'), 'utf8');
    for (const reason of ['bad signature', 'total_amount mismatch', 'app_id mismatch', 'unknown out_trade_no', 'missing notify_id']) {
      expect(log).toContain(`"reason":"${reason}"`);
    }
    expect(log).toContain('"securityEvent":"ALIPAY_NOTIFICATION_REJECTED"');
    const metrics = await http('GET', `${sys.url.payment}/metrics`);
    expect(metrics.text).toMatch(/payment_notifications_rejected_total\{reason="bad",service="payment"\} [1-9]/);

    // The same notification signed independently and correctly is accepted: our verifier agrees
    // with Alipay's documented rule, not just with our own signer.
    expect(await postNotification(sys.url.payment, signNotification(good))).toEqual({ status: 200, text: 'success' });
    expect((await payment(orderSn)).status).toBe('PAID');
  });

  it('the first 3 deliveries dropped: the 4th (time-scaled retry) applies it; the sandbox shows every attempt', async () => {
    const { buyer, orderSn } = await placeOrder(300);
    await startPayment(buyer, orderSn);
    await alipay.faults({ dropNext: 3 });
    await alipay.pay(orderSn);
    await paid(orderSn);
    // The sandbox records a delivery when our reply arrives, which is just after the payment committed.
    const trade = await pollUntil(
      async () => {
        const t = await alipay.trade(orderSn);
        return t.notifications.length >= 4 && t;
      },
      { what: 'the sandbox to record the 4th delivery' },
    );
    expect(trade.notifications.map((n) => [n.attempt, n.dropped, n.body])).toEqual([
      [1, true, null],
      [2, true, null],
      [3, true, null],
      [4, false, 'success'],
    ]);
  });

  it('a webhook that answers 500 twice is retried until it succeeds', async () => {
    const { buyer, orderSn } = await placeOrder(700);
    await startPayment(buyer, orderSn);
    // A real failure: the notification log refuses the first two writes (a sequence is not rolled back).
    await payDb.query('CREATE SEQUENCE IF NOT EXISTS notify_failures');
    await payDb.query(`CREATE OR REPLACE FUNCTION fail_twice() RETURNS trigger AS $$
      BEGIN IF nextval('notify_failures') <= 2 THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await payDb.query('CREATE TRIGGER fail_twice BEFORE INSERT ON payment_notifications FOR EACH ROW EXECUTE FUNCTION fail_twice()');
    try {
      await alipay.pay(orderSn);
      await paid(orderSn);
    } finally {
      await payDb.query('DROP TRIGGER fail_twice ON payment_notifications');
    }
    const trade = await alipay.trade(orderSn);
    expect(trade.notifications.map((n) => [n.attempt, n.httpStatus, n.body])).toEqual([
      [1, 500, 'failure'],
      [2, 500, 'failure'],
      [3, 200, 'success'],
    ]);
    expect(await outbox(orderSn)).toEqual(['PaymentSucceeded']);
  });

  it('a notification lost entirely: the reconciliation job queries the trade and applies the payment', async () => {
    const { buyer, orderSn } = await placeOrder(1200);
    await startPayment(buyer, orderSn);
    await alipay.faults({ dropNext: 8 });
    await alipay.pay(orderSn);
    await pollUntil(async () => (await alipay.trade(orderSn)).notifications.length > 0, { what: 'a dropped delivery' });
    expect((await payment(orderSn)).status).toBe('PENDING');
    await sys.apps.payment!.get(ReconciliationJob).runOnce();
    expect(await payment(orderSn)).toMatchObject({ status: 'PAID', trade_no: (await alipay.trade(orderSn)).tradeNo });
    expect(await outbox(orderSn)).toEqual(['PaymentSucceeded']);
    await sys.apps.payment!.get(ReconciliationJob).runOnce(); // nothing pending: no second event
    expect(await outbox(orderSn)).toEqual(['PaymentSucceeded']);
  });

  it('close-before-cancel: closing a trade the buyer already paid answers PAID (never CLOSED), and the order cannot be cancelled', async () => {
    const { buyer, orderSn } = await placeOrder(990);
    await startPayment(buyer, orderSn);
    await alipay.faults({ dropNext: 8 }); // the payment notification is still in flight
    await alipay.pay(orderSn);
    const close = await http('POST', `${sys.url.payment}/internal/payments/${orderSn}/close`, {
      headers: { 'x-internal-token': INTERNAL_TOKEN },
    });
    expect(close.body).toEqual({ result: 'PAID' });
    expect((await payment(orderSn)).status).toBe('PAID');
    const cancel = await http('POST', `${sys.url.order}/orders/${orderSn}/cancel`, { token: buyer.token });
    expect(cancel.status).toBe(409);
    expect(cancel.body.error.code).toBe('ORDER.INVALID_TRANSITION');
  });

  it('a cancelled order: trade closed, no new payment; a late payment is recorded as received and refunded exactly once', async () => {
    const { buyer, orderSn, amount } = await placeOrder(4200);
    await startPayment(buyer, orderSn);
    const cancel = await http('POST', `${sys.url.order}/orders/${orderSn}/cancel`, { token: buyer.token });
    expect(cancel.body.status).toBe('CANCELLED');
    expect((await payment(orderSn)).status).toBe('CLOSED');
    expect((await alipay.trade(orderSn)).status).toBe('TRADE_CLOSED');
    // The sandbox's TRADE_CLOSED notification may hold the trade's lock for a moment (409
    // PAYMENT.IN_PROGRESS, which a client retries); once free, the answer is NOT_PAYABLE.
    const retry = await pollUntil(
      async () => {
        const r = await http('POST', `${sys.url.payment}/payments`, { token: buyer.token, body: { orderSn } });
        return r.body?.error?.code !== 'PAYMENT.IN_PROGRESS' && r;
      },
      { what: 'the trade lock to be free' },
    );
    expect(retry.status).toBe(409);
    expect(retry.body.error.code).toBe('ORDER.NOT_PAYABLE');

    // The buyer's payment crossed our close: recorded as received (PaymentSucceeded), rejected by the
    // order side (OrderPaymentRejected) and refunded by the refund consumer — through Kafka.
    expect((await alipay.pay(orderSn, { force: true })).status).toBe(200);
    await pollUntil(async () => (await payment(orderSn)).status === 'REFUNDED', { timeoutMs: 20000, what: `payment ${orderSn} REFUNDED` });

    // A replay of the rejection (redelivery, operator re-drive) never refunds twice.
    const refunds = sys.apps.payment!.get(RefundService);
    const rejected = { orderSn, amount, tradeNo: (await payment(orderSn)).trade_no };
    await expect(refunds.onOrderPaymentRejected(rejected)).resolves.toBe('ALREADY_REFUNDED');
    await expect(refunds.onOrderPaymentRejected(rejected)).resolves.toBe('ALREADY_REFUNDED');
    expect((await payment(orderSn)).status).toBe('REFUNDED');
    expect((await alipay.trade(orderSn)).refunds).toEqual([
      expect.objectContaining({ outRequestNo: `refund-${orderSn}`, refundAmount: centsToYuan(amount) }),
    ]);
    expect(await outbox(orderSn)).toEqual(['PaymentSucceeded', 'PaymentRefunded']);
    // Alipay notifies the refund too (TRADE_CLOSED); once acknowledged, it changed nothing.
    await pollUntil(
      async () => {
        const t = await alipay.trade(orderSn);
        // the first TRADE_CLOSED was our close's; the second is the full refund's
        return t.notifications.filter((n) => n.tradeStatus === 'TRADE_CLOSED' && n.body === 'success').length === 2;
      },
      { what: 'the refund notification acknowledged' },
    );
    expect((await payment(orderSn)).status).toBe('REFUNDED');
    const afterRefund = await http('POST', `${sys.url.payment}/payments`, { token: buyer.token, body: { orderSn } });
    expect(afterRefund.body.error.code).toBe('ORDER.NOT_PAYABLE');
  });

  it('POST /payments: busy lock 409 IN_PROGRESS, unknown or foreign order 404, paid 409 ALREADY_PAID, cancelled 409 NOT_PAYABLE', async () => {
    const { buyer, orderSn } = await placeOrder(100);
    const stranger = await buyerWithAddress(sys.url.user);
    const redis = new Redis(sys.env.REDIS_URL!, { keyPrefix: sys.env.REDIS_KEY_PREFIX });
    try {
      const held = await new LockService(redis).tryWithLock(`payment:${orderSn}`, 10000, async () =>
        http('POST', `${sys.url.payment}/payments`, { token: buyer.token, body: { orderSn } }),
      );
      expect(held.busy ? null : held.value.body.error.code).toBe('PAYMENT.IN_PROGRESS');
    } finally {
      redis.disconnect();
    }
    for (const [token, sn] of [
      [stranger.token, orderSn],
      [buyer.token, '999999999999999'],
    ]) {
      const res = await http('POST', `${sys.url.payment}/payments`, { token, body: { orderSn: sn } });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('ORDER.NOT_FOUND');
    }
    await startPayment(buyer, orderSn);
    expect((await http('GET', `${sys.url.payment}/payments/${orderSn}`, { token: stranger.token })).body.error.code).toBe(
      'PAYMENT.NOT_FOUND',
    );
    await alipay.pay(orderSn);
    await paid(orderSn);
    const paidAgain = await http('POST', `${sys.url.payment}/payments`, { token: buyer.token, body: { orderSn } });
    expect(paidAgain.status).toBe(409);
    expect(paidAgain.body.error.code).toBe('PAYMENT.ALREADY_PAID');

    const other = await placeOrder(100);
    await http('POST', `${sys.url.order}/orders/${other.orderSn}/cancel`, { token: other.buyer.token });
    const notPayable = await http('POST', `${sys.url.payment}/payments`, { token: other.buyer.token, body: { orderSn: other.orderSn } });
    expect(notPayable.status).toBe(409);
    expect(notPayable.body.error.code).toBe('ORDER.NOT_PAYABLE');
    for (const body of [{}, { orderSn: 'abc' }, { orderSn: 123 }, { orderSn: '1', x: 1 }]) {
      expect((await http('POST', `${sys.url.payment}/payments`, { token: buyer.token, body })).status).toBe(400);
    }
  });
});

describe('correctness does not depend on the Redlock (PAYMENT_REDLOCK_ENABLED=false)', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await startSystem(
      ['user', 'inventory', 'cart', 'order', 'payment'],
      { PAYMENT_REDLOCK_ENABLED: 'false', STOCK_LOCK_SWEEP_INTERVAL_MS: '3600000' },
      { sandbox: { timeScale: 0.0001 } },
    );
  });
  afterAll(() => sys.stop());

  it('50 concurrent copies of one notification with no lock at all: still one state change and one event', async () => {
    const buyer = await buyerWithAddress(sys.url.user);
    const s = await createSku(sys.url.inventory, { price: 2500, stock: 5 });
    const { submit } = await buyNow(sys, buyer, s.id, 1);
    const orderSn = submit.body.orderSn;
    expect((await http('POST', `${sys.url.payment}/payments`, { token: buyer.token, body: { orderSn } })).status).toBe(201);
    const signed = signNotification(notificationFor(orderSn, '25.00'));
    const replies = await Promise.all(Array.from({ length: 50 }, () => postNotification(sys.url.payment, signed)));
    expect(replies.map((r) => r.text)).toEqual(Array(50).fill('success'));
    // Distinct notify_ids for the same payment (Alipay re-sends with new ids too): still one change.
    const distinct = await Promise.all(
      Array.from({ length: 20 }, () => postNotification(sys.url.payment, signNotification(notificationFor(orderSn, '25.00')))),
    );
    expect(distinct.map((r) => r.text)).toEqual(Array(20).fill('success'));
    const db = new Client({ connectionString: sys.databaseUrl.payment });
    await db.connect();
    try {
      expect((await db.query('SELECT status FROM payments WHERE order_sn = $1', [orderSn])).rows).toEqual([{ status: 'PAID' }]);
      expect((await db.query('SELECT type FROM outbox_events WHERE message_key = $1', [orderSn])).rows).toEqual([
        { type: 'PaymentSucceeded' },
      ]);
    } finally {
      await db.end();
    }
  });
});
