import { buyerWithAddress, createSku } from '../support/system';
import { http } from '@shop/shared/testing';
import { freezeKafka, metricSum, ProcessSystem, startProcessSystem, thawKafka } from './support/processes';
import {
  Buyer,
  cancelOrder,
  consistent,
  Databases,
  locksAre,
  orderIs,
  payInSandbox,
  placeOrder,
  settled,
  startPayment,
  waitFor,
} from './support/shop';

/**
 * SPEC §8 outbox under a hung broker: the HTTP flows (webhook, cancel) commit state + outbox rows
 * without Kafka; the rows wait unpublished and are all delivered once the broker answers again.
 * The freeze is SIGSTOP of the local broker: open connections that never answer, the nastier case.
 */
describe('Kafka outage (broker frozen with SIGSTOP): nothing committed is lost, everything is delivered after', () => {
  let sys: ProcessSystem;
  let dbs: Databases;
  beforeAll(async () => {
    sys = await startProcessSystem({ env: { STOCK_LOCK_SWEEP_INTERVAL_MS: '3600000', PAYMENT_RECONCILE_INTERVAL_MS: '3600000' } });
    dbs = await Databases.connect(sys);
  }, 90000);
  afterEach(() => thawKafka());
  afterEach(() => consistent(sys, 60000), 90000);
  afterAll(async () => {
    thawKafka();
    await dbs?.close();
    await sys?.stop();
  }, 60000);

  it('pays 3 orders and cancels 3 while Kafka is frozen; after the thaw all are PAID/DEDUCTED or RELEASED, no row unpublished', async () => {
    const sku = await createSku(sys.url.inventory, { price: 1500, stock: 20 });
    const buyers: Buyer[] = await Promise.all(Array.from({ length: 6 }, () => buyerWithAddress(sys.url.user)));
    const orders = await Promise.all(buyers.map((buyer) => placeOrder(sys, { buyer, sku, quantity: 1 })));
    const toPay = orders.slice(0, 3);
    const toCancel = orders.slice(3);
    await Promise.all(toPay.map((o) => startPayment(sys.url.payment, o.buyer, o.orderSn)));
    await settled(sys, dbs); // what happened before the outage is delivered: what is unpublished below is the outage's

    freezeKafka();
    try {
      await Promise.all(toPay.map((o) => payInSandbox(sys, o.orderSn)));
      await waitFor('the 3 payments PAID through the webhook', async () =>
        (await Promise.all(toPay.map((o) => dbs.paymentStatus(o.orderSn)))).every((s) => s === 'PAID'),
      );
      const cancels = await Promise.all(toCancel.map((o) => cancelOrder(sys.url.order, o.buyer, o.orderSn)));
      expect(cancels.map((c) => [c.status, c.body?.status, c.body?.cancelReason])).toEqual(Array(3).fill([200, 'CANCELLED', 'USER']));

      const byKey = (rows: Array<{ type: string; key: string }>) => rows.map((r) => `${r.type}:${r.key}`).sort();
      expect(byKey(await dbs.unpublished('payment'))).toEqual(toPay.map((o) => `PaymentSucceeded:${o.orderSn}`).sort());
      expect(byKey(await dbs.unpublished('order'))).toEqual(toCancel.map((o) => `OrderCancelled:${o.orderSn}`).sort());
      for (const o of toPay) {
        expect({ orderSn: o.orderSn, order: (await dbs.order(o.orderSn))?.status }).toEqual({ orderSn: o.orderSn, order: 'UNPAID' });
      }
      // Keep the broker hung until it is felt: the services report not ready (SPEC §11) and both
      // relays have had a publish run into their send deadline (the retry-with-backoff path).
      await waitFor(
        'order and payment report not ready while Kafka hangs',
        async () => {
          const states = await Promise.all([sys.url.order, sys.url.payment].map((u) => http('GET', `${u}/health/ready`)));
          return states.every((r) => r.status === 503);
        },
        30000,
      );
      await waitFor(
        'both relays counted a failed publish',
        async () => {
          const failed = await Promise.all(
            [sys.instances.order[0], sys.instances.payment[0]].map((i) => metricSum([i], 'outbox_publish_failures_total')),
          );
          return failed.every((n) => n >= 1);
        },
        30000,
      );
      expect(byKey(await dbs.unpublished('payment'))).toEqual(toPay.map((o) => `PaymentSucceeded:${o.orderSn}`).sort());
      expect(byKey(await dbs.unpublished('order'))).toEqual(toCancel.map((o) => `OrderCancelled:${o.orderSn}`).sort());
    } finally {
      thawKafka();
    }

    const deadline = 60000; // kafkajs reconnects and group rejoins after a hung broker take seconds
    for (const o of toPay) {
      await orderIs(dbs, o.orderSn, 'PAID', deadline);
      await locksAre(dbs, o.orderSn, 'DEDUCTED', deadline);
    }
    for (const o of toCancel) {
      await locksAre(dbs, o.orderSn, 'RELEASED', deadline);
      expect(await dbs.order(o.orderSn)).toEqual({ status: 'CANCELLED', cancelReason: 'USER' });
    }
    await settled(sys, dbs, deadline);
    for (const db of ['inventory', 'order', 'payment'] as const) {
      expect({ db, unpublished: await dbs.unpublished(db) }).toEqual({ db, unpublished: [] });
    }
    expect(await dbs.sku(sku.id)).toEqual({ stock: 17, lockedStock: 0 });
    for (const o of toPay) {
      expect(await dbs.outboxTypes('order', o.orderSn)).toEqual(['OrderCreated', 'OrderPaid']);
      expect(await dbs.outboxTypes('inventory', o.orderSn)).toEqual(['StockDeducted']);
    }
    for (const o of toCancel) {
      expect(await dbs.outboxTypes('inventory', o.orderSn)).toEqual(['StockReleased']);
    }
  }, 90000);
});
