import { centsToYuan } from '@shop/shared';
import { http } from '@shop/shared/testing';
import { createSku } from '../support/system';
import { metricValue, ProcessSystem, startProcessSystem } from './support/processes';
import {
  cancelOrder,
  consistent,
  Databases,
  Db,
  expectStatus,
  locksAre,
  orderIs,
  payInSandbox,
  placeOrder,
  produce,
  settled,
  startPayment,
  waitFor,
} from './support/shop';

const PAY_TIMEOUT_S = 4;

/** SPEC §6–§8 compensation: money that lands for a cancelled order is refunded, once, whatever is replayed. */
describe('late payment for a timed-out order: refunded exactly once, and replaying every event changes nothing', () => {
  let sys: ProcessSystem;
  let dbs: Databases;
  beforeAll(async () => {
    sys = await startProcessSystem({
      env: {
        ORDER_PAY_TIMEOUT_SECONDS: String(PAY_TIMEOUT_S),
        ORDER_TIMEOUT_JOB_INTERVAL_MS: '200',
        STOCK_LOCK_GRACE_SECONDS: '300',
        STOCK_LOCK_SWEEP_INTERVAL_MS: '3600000',
        PAYMENT_RECONCILE_INTERVAL_MS: '3600000',
      },
    });
    dbs = await Databases.connect(sys);
  }, 90000);
  afterEach(() => consistent(sys), 60000);
  afterAll(async () => {
    await dbs?.close();
    await sys?.stop();
  }, 60000);

  const trade = async (sn: string) => (await http('GET', `${sys.sandboxUrl}/sandbox/trades/${sn}`)).body;

  it('the buyer pays after the timeout closed the trade: payment REFUNDED once, order stays CANCELLED, stock not deducted', async () => {
    const sku = await createSku(sys.url.inventory, { price: 4321, stock: 5 });
    const { buyer, orderSn } = await placeOrder(sys, { sku, quantity: 2 });
    await startPayment(sys.url.payment, buyer, orderSn); // cashier opened: the trade exists at Alipay
    await waitFor(
      `order ${orderSn} cancelled by the timeout job`,
      async () => {
        const o = await dbs.order(orderSn);
        return o?.status === 'CANCELLED' && o.cancelReason === 'TIMEOUT';
      },
      PAY_TIMEOUT_S * 1000 + 15000,
    );
    expect(await dbs.paymentStatus(orderSn)).toBe('CLOSED');
    expect((await trade(orderSn)).status).toBe('TRADE_CLOSED');

    await payInSandbox(sys, orderSn, true); // the buyer's payment and our close crossed
    await waitFor(`payment ${orderSn} REFUNDED`, async () => (await dbs.paymentStatus(orderSn)) === 'REFUNDED', 30000);
    await waitFor('StockReleased written', async () => (await dbs.outboxTypes('inventory', orderSn)).includes('StockReleased'));

    expect(await dbs.order(orderSn)).toEqual({ status: 'CANCELLED', cancelReason: 'TIMEOUT' });
    expect((await trade(orderSn)).refunds).toEqual([
      { outRequestNo: `refund-${orderSn}`, refundAmount: centsToYuan(2 * 4321), at: expect.any(String) },
    ]);
    expect(await dbs.query('payment', 'SELECT out_request_no, amount FROM refunds WHERE order_sn = $1', [orderSn])).toEqual([
      { out_request_no: `refund-${orderSn}`, amount: 2 * 4321 },
    ]);
    expect(await dbs.lockStatuses(orderSn)).toEqual(['RELEASED']);
    expect(await dbs.sku(sku.id)).toEqual({ stock: 5, lockedStock: 0 });
    expect(await dbs.outboxTypes('order', orderSn)).toEqual(['OrderCreated', 'OrderCancelled', 'OrderPaymentRejected']);
    expect(await dbs.outboxTypes('payment', orderSn)).toEqual(['PaymentSucceeded', 'PaymentRefunded']);
    expect(await dbs.outboxTypes('inventory', orderSn)).toEqual(['StockReleased']);
  }, 60000);

  /** Everything an auditor would compare before and after a replay. */
  const snapshot = async () => {
    const q = (db: Db, sql: string) => dbs.query(db, sql);
    return {
      orders: await q('order', 'SELECT order_sn, status, cancel_reason, paid_at FROM orders ORDER BY order_sn'),
      payments: await q('payment', 'SELECT order_sn, status, trade_no, paid_at, refunded_at FROM payments ORDER BY order_sn'),
      refunds: await q('payment', 'SELECT order_sn, out_request_no, amount FROM refunds ORDER BY order_sn'),
      locks: await q('inventory', 'SELECT order_sn, sku_id, quantity, status FROM stock_locks ORDER BY order_sn, sku_id'),
      skus: await q('inventory', 'SELECT id, stock, locked_stock FROM skus ORDER BY id'),
      outbox: {
        inventory: await q('inventory', 'SELECT type, count(*)::int AS n FROM outbox_events GROUP BY type ORDER BY type'),
        order: await q('order', 'SELECT type, count(*)::int AS n FROM outbox_events GROUP BY type ORDER BY type'),
        payment: await q('payment', 'SELECT type, count(*)::int AS n FROM outbox_events GROUP BY type ORDER BY type'),
      },
      inbox: {
        inventory: await q('inventory', 'SELECT consumer, count(*)::int AS n FROM inbox_events GROUP BY consumer ORDER BY consumer'),
        order: await q('order', 'SELECT consumer, count(*)::int AS n FROM inbox_events GROUP BY consumer ORDER BY consumer'),
        payment: await q('payment', 'SELECT consumer, count(*)::int AS n FROM inbox_events GROUP BY consumer ORDER BY consumer'),
      },
      sandboxRefunds: await Promise.all(
        (await q('payment', 'SELECT order_sn FROM payments ORDER BY order_sn')).map(
          async (p) => (await trade(p.order_sn))?.refunds ?? null,
        ),
      ),
    };
  };

  it('replaying EVERY outbox event of the three databases changes nothing: same states, one refund, duplicates counted', async () => {
    // A paid order and a user-cancelled one join the late-paid order of the first test.
    const paid = await placeOrder(sys, { quantity: 1 });
    await startPayment(sys.url.payment, paid.buyer, paid.orderSn);
    await payInSandbox(sys, paid.orderSn);
    await orderIs(dbs, paid.orderSn, 'PAID');
    await locksAre(dbs, paid.orderSn, 'DEDUCTED');
    const cancelled = await placeOrder(sys, { quantity: 3 });
    expectStatus(await cancelOrder(sys.url.order, cancelled.buyer, cancelled.orderSn), 200, 'cancel');
    await locksAre(dbs, cancelled.orderSn, 'RELEASED');
    await waitFor('StockReleased of the cancelled order', async () =>
      (await dbs.outboxTypes('inventory', cancelled.orderSn)).includes('StockReleased'),
    );
    await settled(sys, dbs);

    const before = await snapshot();
    const events = [];
    for (const db of ['order', 'payment', 'inventory'] as const) {
      const rows = await dbs.query(db, 'SELECT event_id, topic, message_key, type, envelope FROM outbox_events ORDER BY id');
      events.push(...rows.map((r) => ({ topic: r.topic, key: r.message_key, envelope: r.envelope, eventId: r.event_id, type: r.type })));
    }
    expect(events.length).toBeGreaterThanOrEqual(7); // at least the paid and the cancelled order of this test
    const replayed = events.map((e) => e.eventId);
    // Each consumer has an inbox row for every event it handled: each of those must come back as a duplicate.
    const consumers = [
      { consumer: 'inventory.stock', db: 'inventory' as const, service: 'inventory' as const },
      { consumer: 'order.payments', db: 'order' as const, service: 'order' as const },
      { consumer: 'payment.refunds', db: 'payment' as const, service: 'payment' as const },
    ];
    const duplicates = async (service: 'inventory' | 'order' | 'payment' | 'cart', labels: Record<string, string>) =>
      metricValue(await sys.instances[service][0].metrics(), 'consumer_events_total', { ...labels, outcome: 'duplicate' });
    const expected = await Promise.all(
      consumers.map(async (c) => ({
        ...c,
        handled: (
          await dbs.query(c.db, 'SELECT 1 FROM inbox_events WHERE consumer = $1 AND event_id = ANY($2::uuid[])', [c.consumer, replayed])
        ).length,
        before: await duplicates(c.service, { consumer: c.consumer }),
      })),
    );
    for (const c of expected) {
      expect({ consumer: c.consumer, handledSomething: c.handled > 0 }).toEqual({ consumer: c.consumer, handledSomething: true });
    }
    const cartLabels = { consumer: 'cart.ordered-items', type: 'OrderCreated' };
    const orderCreated = events.filter((e) => e.type === 'OrderCreated').length;
    const cartBefore = await duplicates('cart', cartLabels);

    await produce(sys.topicPrefix, events);

    await waitFor(
      'every replayed event recognised as a duplicate by every consumer that had handled it',
      async () => {
        for (const c of expected) {
          if ((await duplicates(c.service, { consumer: c.consumer })) < c.before + c.handled) {
            return false;
          }
        }
        return (await duplicates('cart', cartLabels)) >= cartBefore + orderCreated;
      },
      30000,
    );
    await settled(sys, dbs);
    expect(await snapshot()).toEqual(before);
    for (const c of expected) {
      expect({ consumer: c.consumer, duplicates: await duplicates(c.service, { consumer: c.consumer }) }).toEqual({
        consumer: c.consumer,
        duplicates: c.before + c.handled,
      });
    }
  }, 90000);
});
