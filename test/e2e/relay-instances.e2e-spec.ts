import { buyerWithAddress, createSku } from '../support/system';
import { ProcessSystem, startProcessSystem } from './support/processes';
import {
  cancelOrder,
  consistent,
  consumeFromBeginning,
  Databases,
  expectStatus,
  locksAre,
  orderIs,
  payInSandbox,
  placeOrder,
  settled,
  startPayment,
} from './support/shop';

const TOPICS = ['order.events', 'payment.events', 'inventory.events'];

/**
 * SPEC §8 outbox relay with several instances per service: every committed row is published, and
 * one order's events reach Kafka in the order of their outbox ids (duplicates allowed, reordering not).
 */
describe('outbox relay with two instances of inventory, order and payment: all published, per-order order kept', () => {
  let sys: ProcessSystem;
  let dbs: Databases;
  beforeAll(async () => {
    sys = await startProcessSystem({
      instances: { inventory: 2, order: 2, payment: 2 },
      env: { STOCK_LOCK_SWEEP_INTERVAL_MS: '3600000', PAYMENT_RECONCILE_INTERVAL_MS: '3600000' },
    });
    dbs = await Databases.connect(sys);
  }, 90000);
  afterEach(() => consistent(sys, 60000), 90000);
  afterAll(async () => {
    await dbs?.close();
    await sys?.stop();
  }, 60000);

  it('30 concurrent buyers (10 pay, 10 cancel, 10 leave it): every row published, each orderSn in outbox order on its topic', async () => {
    const skus = await Promise.all([0, 1, 2].map(() => createSku(sys.url.inventory, { price: 650, stock: 100 })));
    const kinds = ['pay', 'cancel', 'leave'] as const;
    const results = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const kind = kinds[i % 3];
        const orderUrl = sys.instances.order[i % 2].url;
        const buyer = await buyerWithAddress(sys.url.user);
        const { orderSn } = await placeOrder(sys, { buyer, sku: skus[i % 3], quantity: 1 + (i % 2), orderUrl });
        if (kind === 'pay') {
          await startPayment(sys.instances.payment[(i >> 1) % 2].url, buyer, orderSn);
          await payInSandbox(sys, orderSn);
        } else if (kind === 'cancel') {
          expectStatus(await cancelOrder(sys.instances.order[(i + 1) % 2].url, buyer, orderSn), 200, `cancel ${orderSn}`);
        }
        return { kind, orderSn };
      }),
    );
    for (const { kind, orderSn } of results) {
      if (kind === 'pay') {
        await orderIs(dbs, orderSn, 'PAID', 30000);
        await locksAre(dbs, orderSn, 'DEDUCTED', 30000);
      } else if (kind === 'cancel') {
        await locksAre(dbs, orderSn, 'RELEASED', 30000);
      } else {
        expect(await dbs.order(orderSn)).toEqual({ status: 'UNPAID', cancelReason: null });
        expect(await dbs.lockStatuses(orderSn)).toEqual(['LOCKED']);
      }
    }
    await settled(sys, dbs, 30000);

    // The outbox: every row published, and per (topic, orderSn) the event ids in id order.
    const expected = new Map<string, string[]>();
    let rowCount = 0;
    for (const db of ['inventory', 'order', 'payment'] as const) {
      const rows = await dbs.query(db, 'SELECT event_id, topic, message_key, published_at FROM outbox_events ORDER BY id');
      expect({ db, unpublished: rows.filter((r) => r.published_at === null).length }).toEqual({ db, unpublished: 0 });
      for (const r of rows) {
        const k = `${r.topic}|${r.message_key}`;
        expected.set(k, [...(expected.get(k) ?? []), r.event_id]);
        rowCount++;
      }
    }
    // 30 OrderCreated + 10 × (PaymentSucceeded, OrderPaid, StockDeducted) + 10 × (OrderCancelled, StockReleased).
    expect(rowCount).toBe(30 + 30 + 20);
    const wanted = new Set([...expected.values()].flat());

    const messages = await consumeFromBeginning(
      TOPICS.map((t) => `${sys.topicPrefix}${t}`),
      (seen) => new Set(seen.map((m) => m.eventId).filter((id) => wanted.has(id))).size === wanted.size,
    );
    const got = new Map<string, string[]>();
    const partitionOf = new Map<string, number>();
    for (const m of messages) {
      const k = `${m.topic.slice(sys.topicPrefix.length)}|${m.key}`;
      expect({ key: k, partition: partitionOf.get(k) ?? m.partition }).toEqual({ key: k, partition: m.partition });
      partitionOf.set(k, m.partition);
      const list = got.get(k) ?? [];
      if (!list.includes(m.eventId)) {
        list.push(m.eventId); // first occurrence counts: a re-send is allowed, a reordering is not
      }
      got.set(k, list);
    }
    expect(Object.fromEntries([...got].sort())).toEqual(Object.fromEntries([...expected].sort()));
  }, 90000);
});
