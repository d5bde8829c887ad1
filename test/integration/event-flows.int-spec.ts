import { http, pollUntil } from '@shop/shared/testing';
import { Client } from 'pg';
import { OrderTimeoutJob } from '../../services/order/src/order-timeouts/order-timeout.job';
import { OrderRepository } from '../../services/order/src/orders/order.repository';
import { sandbox } from '../support/alipay';
import { buyerWithAddress, buyNow, createSku, startSystem, TestSystem, TestUser } from '../support/system';
import { expectStockInvariants } from '../support/invariants';

type Buyer = TestUser & { addressId: number };

/**
 * The flows of SPEC §6–8 through the real relay, Kafka and consumers, with every app in this
 * process (the real-process versions, with kill -9 and a frozen broker, are in test/e2e).
 */
describe('event-driven flows (outbox → Kafka → inbox)', () => {
  let sys: TestSystem;
  let inv: Client;
  let ord: Client;
  let pay: Client;
  let alipay: ReturnType<typeof sandbox>;
  beforeAll(async () => {
    sys = await startSystem(
      ['user', 'inventory', 'cart', 'order', 'payment'],
      {
        ORDER_PAY_TIMEOUT_SECONDS: '2',
        ORDER_TIMEOUT_JOB_INTERVAL_MS: '200',
        ORDER_TIMEOUT_LEASE_MS: '2000',
        STOCK_LOCK_SWEEP_INTERVAL_MS: '3600000',
        PAYMENT_RECONCILE_INTERVAL_MS: '3600000',
      },
      { sandbox: { timeScale: 0.0001 } },
    );
    alipay = sandbox(sys.sandboxUrl!);
    [inv, ord, pay] = [sys.databaseUrl.inventory!, sys.databaseUrl.order!, sys.databaseUrl.payment!].map((c) => new Client({ connectionString: c }));
    await Promise.all([inv, ord, pay].map((c) => c.connect()));
  });
  afterAll(async () => {
    await Promise.all([inv, ord, pay].map((c) => c.end()));
    await sys.stop();
  });

  const orderStatus = async (sn: string) => (await ord.query('SELECT status, cancel_reason FROM orders WHERE order_sn = $1', [sn])).rows[0];
  const lockStatuses = async (sn: string) =>
    (await inv.query('SELECT status FROM stock_locks WHERE order_sn = $1 ORDER BY sku_id', [sn])).rows.map((r) => r.status);
  const outboxTypes = async (db: Client, sn: string) =>
    (await db.query('SELECT type FROM outbox_events WHERE message_key = $1 ORDER BY id', [sn])).rows.map((r) => r.type);
  const payInSandbox = async (buyer: Buyer, sn: string, force = false) => {
    const res = await http('POST', `${sys.url.payment}/payments`, { token: buyer.token, body: { orderSn: sn } });
    expect(res.status).toBe(201);
    expect((await fetch(res.body.payUrl)).status).toBe(200);
    expect((await alipay.pay(sn, force ? { force: true } : undefined)).status).toBe(200);
  };

  it('pay → PAID, stock deducted exactly once, cart cleaned of the ordered SKU only', async () => {
    const buyer = await buyerWithAddress(sys.url.user);
    const [a, b] = [await createSku(sys.url.inventory, { price: 500, stock: 5 }), await createSku(sys.url.inventory, { price: 700, stock: 5 })];
    for (const s of [a, b]) {
      expect((await http('POST', `${sys.url.cart}/cart/items`, { token: buyer.token, body: { skuId: s.id, quantity: 1 } })).status).toBe(200);
    }
    const { submit } = await buyNow(sys, buyer, a.id, 2);
    expect(submit.status).toBe(201);
    const sn = submit.body.orderSn;
    await pollUntil(async () => (await http('GET', `${sys.url.cart}/cart`, { token: buyer.token })).body.items.length === 1, {
      what: 'OrderCreated to clean the cart',
    });
    expect((await http('GET', `${sys.url.cart}/cart`, { token: buyer.token })).body.items.map((i: any) => i.skuId)).toEqual([b.id]);
    await payInSandbox(buyer, sn);
    await pollUntil(async () => (await lockStatuses(sn))[0] === 'DEDUCTED', { timeoutMs: 20000, what: 'the stock to be deducted' });
    expect((await orderStatus(sn)).status).toBe('PAID');
    expect((await http('GET', `${sys.url.inventory}/skus/${a.id}`)).body.available).toBe(3);
    const sku = (await inv.query('SELECT stock, locked_stock FROM skus WHERE id = $1', [a.id])).rows[0];
    expect(sku).toEqual({ stock: 3, locked_stock: 0 });
    expect(await outboxTypes(inv, sn)).toEqual(['StockDeducted']);
    expect(await outboxTypes(ord, sn)).toEqual(['OrderCreated', 'OrderPaid']);
    await expectStockInvariants(sys.databaseUrl.inventory!);
  });

  it('timeout: the job cancels an unpaid order (TIMEOUT) and its stock goes back; a late payment is refunded once', async () => {
    const buyer = await buyerWithAddress(sys.url.user);
    const s = await createSku(sys.url.inventory, { price: 8880, stock: 3 });
    const { submit } = await buyNow(sys, buyer, s.id, 1);
    const sn = submit.body.orderSn;
    const res = await http('POST', `${sys.url.payment}/payments`, { token: buyer.token, body: { orderSn: sn } });
    expect((await fetch(res.body.payUrl)).status).toBe(200);
    await pollUntil(async () => (await orderStatus(sn)).status === 'CANCELLED', { timeoutMs: 15000, what: 'the timeout job to cancel' });
    expect((await orderStatus(sn)).cancel_reason).toBe('TIMEOUT');
    await pollUntil(async () => (await lockStatuses(sn))[0] === 'RELEASED', { what: 'the stock to be released' });
    // The buyer pays anyway: the payment crossed our close.
    expect((await alipay.pay(sn, { force: true })).status).toBe(200);
    await pollUntil(async () => (await pay.query('SELECT status FROM payments WHERE order_sn = $1', [sn])).rows[0].status === 'REFUNDED', {
      timeoutMs: 20000,
      what: 'the late payment to be refunded',
    });
    expect((await alipay.trade(sn)).refunds).toHaveLength(1);
    expect((await orderStatus(sn)).status).toBe('CANCELLED');
    expect(await lockStatuses(sn)).toEqual(['RELEASED']);
    expect(await outboxTypes(ord, sn)).toEqual(['OrderCreated', 'OrderCancelled', 'OrderPaymentRejected']);
    expect(await outboxTypes(pay, sn)).toEqual(['PaymentSucceeded', 'PaymentRefunded']);
    expect((await inv.query('SELECT stock, locked_stock FROM skus WHERE id = $1', [s.id])).rows[0]).toEqual({ stock: 3, locked_stock: 0 });
  });

  it('a stale leader is refused by the fence: its cancel does not commit', async () => {
    const job = sys.apps.order!.get(OrderTimeoutJob);
    const epoch = await pollUntil(() => job.lease.fencingToken, { what: 'the in-process order app to lead' });
    const buyer = await buyerWithAddress(sys.url.user);
    const s = await createSku(sys.url.inventory, { stock: 2 });
    const { submit } = await buyNow(sys, buyer, s.id, 1);
    const sn = submit.body.orderSn;
    // Another instance took over: the epoch in the order database moved on.
    await ord.query("UPDATE leader_fences SET epoch = epoch + 1 WHERE name = 'order-timeout'");
    const order = (await sys.apps.order!.get(OrderRepository).findBySn(sn))!;
    expect(await job.expire(order, epoch)).toBe(false);
    expect((await orderStatus(sn)).status).toBe('UNPAID');
    expect(await outboxTypes(ord, sn)).toEqual(['OrderCreated']);
    // Fenced out, the instance gives the lease up; re-elected, it advances the fence and works again.
    await pollUntil(async () => (await orderStatus(sn)).status === 'CANCELLED', { timeoutMs: 15000, what: 'the re-elected job to cancel' });
    expect(job.lease.fencingToken).toBeGreaterThan(epoch + 1);
  });

  it('every committed outbox row gets published; the consumers record each event once in their inbox', async () => {
    await pollUntil(
      async () => {
        const counts = await Promise.all([inv, ord, pay].map(async (db) => (await db.query('SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL')).rows[0].n));
        return counts.every((n) => n === 0);
      },
      { timeoutMs: 10000, what: 'the outbox to drain' },
    );
    const dup = await inv.query('SELECT consumer, event_id, count(*) FROM inbox_events GROUP BY 1, 2 HAVING count(*) > 1');
    expect(dup.rows).toEqual([]);
  });
});
