import { checkConsistency } from './checker';
import type { CheckOptions, Report, RuleName } from './report';
import {
  createTestWorld,
  insertConsistentOrders,
  insertLock,
  insertOrder,
  insertPayment,
  insertRefund,
  insertSku,
  newOrderSn,
  type TestWorld,
} from './test-fixtures';

/** Each rule against the real databases: quiet on the consistent end states, loud on each seeded break. */
describe('checkConsistency (databases)', () => {
  let w: TestWorld;

  beforeAll(async () => {
    w = await createTestWorld();
    // Rule stock.bounds must fire even though the schema forbids the state: drop the guard in this private clone.
    await w.inventory.query('ALTER TABLE skus DROP CONSTRAINT skus_stock_bounds');
  });
  afterAll(() => w?.drop());
  beforeEach(() => w.reset());

  const check = (extra: Partial<CheckOptions> = {}): Promise<Report> => checkConsistency({ ...w.options, ...extra });
  const idsOf = (r: Report, rule: RuleName): Array<Record<string, string | number>> =>
    r.violations.filter((v) => v.rule === rule).map((v) => v.ids);
  const rulesOf = (r: Report): RuleName[] => [...new Set(r.violations.map((v) => v.rule))].sort();

  it('is quiet on a consistent PAID, CANCELLED+REFUNDED and UNPAID order, and counts what it read', async () => {
    await insertConsistentOrders(w);
    const report = await check();
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checked).toMatchObject({ skus: 3, locks: 3, orders: 3, payments: 3, outboxRows: 0 });
  });

  it('stock.bounds and stock.locked-sum: a SKU locked beyond its stock, and one whose counter drifted from its locks', async () => {
    const over = await insertSku(w.inventory, 2, 5);
    const drifted = await insertSku(w.inventory, 10, 3);
    await insertLock(w.inventory, newOrderSn(), drifted, 2, 'LOCKED');
    const negative = await insertSku(w.inventory, 10, -1);
    const report = await check();
    expect(idsOf(report, 'stock.bounds')).toEqual([{ skuId: over }, { skuId: negative }]);
    expect(idsOf(report, 'stock.locked-sum')).toEqual([{ skuId: over }, { skuId: drifted }, { skuId: negative }]);
    expect(report.ok).toBe(false);
  });

  it('stock rules ignore settleSeconds: the arithmetic must hold at every instant', async () => {
    const sku = await insertSku(w.inventory, 10, 1);
    expect(idsOf(await check({ settleSeconds: 3600 }), 'stock.locked-sum')).toEqual([{ skuId: sku }]);
  });

  it('lock.orphan: an expired LOCKED lock with no order, or with a CANCELLED order; not with an UNPAID one', async () => {
    const sku = await insertSku(w.inventory, 10, 3);
    const [noOrder, cancelled, unpaid] = [newOrderSn(), newOrderSn(), newOrderSn()];
    await insertLock(w.inventory, noOrder, sku, 1, 'LOCKED', -60);
    await insertLock(w.inventory, cancelled, sku, 1, 'LOCKED', -60);
    await insertLock(w.inventory, unpaid, sku, 1, 'LOCKED', -60);
    await insertOrder(w.order, cancelled, 'CANCELLED', [{ skuId: sku, quantity: 1 }]);
    await insertOrder(w.order, unpaid, 'UNPAID', [{ skuId: sku, quantity: 1 }]);
    const report = await check();
    expect(idsOf(report, 'lock.orphan')).toEqual([
      { orderSn: noOrder, skuId: sku },
      { orderSn: cancelled, skuId: sku },
    ]);
    expect(idsOf(report, 'order.cancelled')).toEqual([{ orderSn: cancelled, skuId: sku }]);
    expect(idsOf(report, 'order.unpaid-locks')).toEqual([]);
  });

  it('order.paid: refunded, short-paid or unpaid money, and missing, undeducted or mis-sized locks', async () => {
    const sku = await insertSku(w.inventory, 100, 1);
    const sn = {
      refunded: newOrderSn(),
      short: newOrderSn(),
      noPayment: newOrderSn(),
      noLock: newOrderSn(),
      locked: newOrderSn(),
      size: newOrderSn(),
    };
    for (const s of Object.values(sn)) {
      const total = await insertOrder(w.order, s, 'PAID', [{ skuId: sku, quantity: 1 }]);
      if (s !== sn.noLock) {
        await insertLock(w.inventory, s, sku, s === sn.size ? 2 : 1, s === sn.locked ? 'LOCKED' : 'DEDUCTED');
      }
      if (s !== sn.noPayment) {
        await insertPayment(w.payment, s, s === sn.refunded ? 'REFUNDED' : 'PAID', s === sn.short ? total - 1 : total);
      }
    }
    await insertRefund(w.payment, sn.refunded, 100);
    const report = await check();
    expect(idsOf(report, 'order.paid')).toEqual([
      { orderSn: sn.refunded },
      { orderSn: sn.short },
      { orderSn: sn.noPayment },
      { orderSn: sn.noLock, skuId: sku },
      { orderSn: sn.locked, skuId: sku },
      { orderSn: sn.size, skuId: sku },
    ]);
    // A PAID order's money was given back: the refund rule sees it too, from the payment side.
    expect(idsOf(report, 'refund.exactly-once')).toEqual([{ orderSn: sn.refunded }]);
  });

  it('order.unpaid-locks: an UNPAID order whose lock was released or deducted, or never made', async () => {
    const sku = await insertSku(w.inventory, 100);
    const [released, deducted, missing] = [newOrderSn(), newOrderSn(), newOrderSn()];
    for (const s of [released, deducted, missing]) {
      await insertOrder(w.order, s, 'UNPAID', [{ skuId: sku, quantity: 1 }]);
    }
    await insertLock(w.inventory, released, sku, 1, 'RELEASED');
    await insertLock(w.inventory, deducted, sku, 1, 'DEDUCTED');
    const report = await check();
    expect(idsOf(report, 'order.unpaid-locks')).toEqual([
      { orderSn: released, skuId: sku },
      { orderSn: deducted, skuId: sku },
      { orderSn: missing, skuId: sku },
    ]);
  });

  it('order.cancelled and refund.missing: stock still held or sold, a payment still open, money kept', async () => {
    const sku = await insertSku(w.inventory, 100);
    const [deducted, pending, paid, closed, noLocks] = [newOrderSn(), newOrderSn(), newOrderSn(), newOrderSn(), newOrderSn()];
    for (const s of [deducted, pending, paid, closed, noLocks]) {
      await insertOrder(w.order, s, 'CANCELLED', [{ skuId: sku, quantity: 1 }]);
    }
    await insertLock(w.inventory, deducted, sku, 1, 'DEDUCTED');
    await insertPayment(w.payment, pending, 'PENDING', 100);
    await insertPayment(w.payment, paid, 'PAID', 100);
    await insertPayment(w.payment, closed, 'CLOSED', 100);
    const report = await check();
    expect(idsOf(report, 'order.cancelled')).toEqual([{ orderSn: deducted, skuId: sku }, { orderSn: pending }]);
    expect(idsOf(report, 'refund.missing')).toEqual([{ orderSn: paid }]);
    expect(idsOf(report, 'payment.orphan')).toEqual([]); // the kept money is reported once, as refund.missing
  });

  it('refund.exactly-once: no refund row, a wrong amount, a refund of a live order, a refund row without a refunded payment', async () => {
    const [noRow, wrong, unpaid, stray, orphan] = [newOrderSn(), newOrderSn(), newOrderSn(), newOrderSn(), newOrderSn()];
    for (const s of [noRow, wrong, stray]) {
      await insertOrder(w.order, s, 'CANCELLED', []);
    }
    await insertOrder(w.order, unpaid, 'UNPAID', []);
    await insertPayment(w.payment, noRow, 'REFUNDED', 100);
    await insertPayment(w.payment, wrong, 'REFUNDED', 100);
    await insertRefund(w.payment, wrong, 99);
    await insertPayment(w.payment, unpaid, 'REFUNDED', 100);
    await insertRefund(w.payment, unpaid, 100);
    await insertPayment(w.payment, stray, 'CLOSED', 100);
    await insertRefund(w.payment, stray, 100);
    await insertRefund(w.payment, orphan, 100);
    const report = await check();
    expect(idsOf(report, 'refund.exactly-once')).toEqual([
      { orderSn: noRow },
      { orderSn: wrong, outRequestNo: `R${wrong}` },
      { orderSn: unpaid },
      { orderSn: stray, outRequestNo: `R${stray}` },
      { orderSn: orphan, outRequestNo: `R${orphan}` },
    ]);
  });

  it('payment.orphan: money recorded for an UNPAID order or for no order at all', async () => {
    const [unpaid, none] = [newOrderSn(), newOrderSn()];
    await insertOrder(w.order, unpaid, 'UNPAID', []);
    await insertPayment(w.payment, unpaid, 'PAID', 100);
    await insertPayment(w.payment, none, 'PAID', 100);
    expect(idsOf(await check(), 'payment.orphan')).toEqual([{ orderSn: unpaid }, { orderSn: none }]);
  });

  it('settleSeconds: a flow touched within the window is in flight; judged once it is older', async () => {
    const sku = await insertSku(w.inventory, 100);
    const sn = newOrderSn();
    await insertOrder(w.order, sn, 'PAID', [{ skuId: sku, quantity: 1 }]);
    await w.order.query('UPDATE orders SET updated_at = now() WHERE order_sn = $1', [sn]);
    const settling = await check({ settleSeconds: 60 });
    expect(settling.violations).toEqual([]);
    expect(settling.checked.inFlightSkipped).toBe(1);
    expect(rulesOf(await check({ settleSeconds: 0 }))).toEqual(['order.paid']);
  });

  it('outbox.stale: counts old unpublished rows per database, names the oldest, ignores fresh or published ones', async () => {
    const row = (age: number, published: boolean, type: string): Promise<unknown> =>
      w.order.query(
        `INSERT INTO outbox_events (event_id, topic, message_key, type, envelope, created_at, published_at)
         VALUES (gen_random_uuid(), 'order.events', '1', $1, '{}', now() - make_interval(secs => $2), CASE WHEN $3::boolean THEN now() END)`,
        [type, age, published],
      );
    await row(120, false, 'OrderPaid');
    await row(90, false, 'OrderCancelled');
    await row(120, true, 'OrderCreated');
    await row(1, false, 'OrderCreated');
    const report = await check({ outboxMaxAgeSeconds: 30 });
    const stale = report.violations.filter((v) => v.rule === 'outbox.stale');
    expect(stale).toHaveLength(1);
    expect(stale[0].ids).toMatchObject({ database: 'order', count: 2 });
    expect(stale[0].message).toMatch(/#\d+ OrderPaid .*#\d+ OrderCancelled/);
    expect(report.checked.outboxRows).toBe(4);
    expect((await check({ outboxMaxAgeSeconds: 600 })).ok).toBe(true);
  });
});
