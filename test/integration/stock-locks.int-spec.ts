import { http, HttpResult } from '@shop/shared/testing';
import { Client } from 'pg';
import { InventoryTx } from '../../services/inventory/src/infrastructure/prisma/inventory-prisma.service';
import { StockLockService } from '../../services/inventory/src/stock-locks/stock-lock.service';
import { expectStockInvariants } from '../support/invariants';
import { createSku, INTERNAL_TOKEN, startSystem, TestSystem } from '../support/system';

/**
 * SPEC §5 stock locks against a real PostgreSQL, with real concurrency: many requests in flight at
 * once, then assertions on the invariants, never on timing.
 */
const internal = { 'x-internal-token': INTERNAL_TOKEN };
type Line = { skuId: number; quantity: number };
const line = (skuId: number, quantity: number): Line => ({ skuId, quantity });

let nextSn = 7_000_000_000_000_000_000n;
const newOrderSn = (): string => String(++nextSn);
const inOneHour = (): string => new Date(Date.now() + 3_600_000).toISOString();

/** Deterministic pseudo-random numbers (mulberry32), so a failing race can be rerun as it was. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('stock locks (inventory service)', () => {
  let sys: TestSystem;
  let db: Client;
  let locks: StockLockService;
  beforeAll(async () => {
    sys = await startSystem(['inventory']);
    db = new Client({ connectionString: sys.databaseUrl.inventory });
    await db.connect();
    locks = sys.apps.inventory!.get(StockLockService);
  });
  afterEach(() => expectStockInvariants(sys.databaseUrl.inventory!));
  afterAll(async () => {
    await db.end();
    await sys.stop();
  });

  const lock = (orderSn: string, items: unknown, expiresAt: unknown = inOneHour()): Promise<HttpResult> =>
    http('POST', `${sys.url.inventory}/internal/stock-locks`, { headers: internal, body: { orderSn, expiresAt, items } });
  const release = (orderSn: string): Promise<HttpResult> =>
    http('POST', `${sys.url.inventory}/internal/stock-locks/${orderSn}/release`, { headers: internal });
  const getLocks = (orderSn: string): Promise<HttpResult> =>
    http('GET', `${sys.url.inventory}/internal/stock-locks/${orderSn}`, { headers: internal });
  /** One after another, so ids ascend in the order given (tests rely on the skuId order). */
  const createSkus = async (stocks: number[]): Promise<Array<{ id: number }>> => {
    const skus: Array<{ id: number }> = [];
    for (const stock of stocks) {
      skus.push(await createSku(sys.url.inventory, { stock }));
    }
    return skus;
  };
  /**
   * Deadlocks (and write conflicts) the inventory service had to retry so far. Counted by the
   * transaction host itself: pg_stat_database.deadlocks is flushed lazily and would lag the race.
   */
  const deadlocks = async (): Promise<number> => sys.apps.inventory!.get(InventoryTx).retries;
  const skuRows = async (ids: number[]): Promise<Array<{ stock: number; locked_stock: number }>> =>
    (await db.query('SELECT stock, locked_stock FROM skus WHERE id = ANY($1) ORDER BY id', [ids])).rows;
  const lockRows = async (orderSn: string): Promise<Array<{ sku_id: number; quantity: number; status: string }>> =>
    (await db.query('SELECT sku_id, quantity, status FROM stock_locks WHERE order_sn = $1 ORDER BY sku_id', [orderSn])).rows;
  const outbox = async (orderSn: string): Promise<Array<{ topic: string; type: string; envelope: any }>> =>
    (await db.query('SELECT topic, type, envelope FROM outbox_events WHERE message_key = $1 ORDER BY id', [orderSn])).rows;
  /** `count` orders, each of 2–3 of the SKUs listed in a random order, 1–`maxQuantity` units each. */
  const randomOrders = (skus: Array<{ id: number }>, count: number, seed: number, maxQuantity: number) => {
    const rnd = random(seed);
    return Array.from({ length: count }, () => ({
      orderSn: newOrderSn(),
      items: [...skus]
        .sort(() => rnd() - 0.5)
        .slice(0, 2 + Math.floor(rnd() * 2))
        .map((s) => line(s.id, 1 + Math.floor(rnd() * maxQuantity))),
    }));
  };
  const expectError = (res: HttpResult, status: number, code: string): void =>
    expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });

  describe('locking', () => {
    it('300 concurrent one-unit orders on a stock of 50: exactly 50 locked, 250 refused, never oversold', async () => {
      const sku = await createSku(sys.url.inventory, { stock: 50 });
      const results = await Promise.all(Array.from({ length: 300 }, () => lock(newOrderSn(), [{ skuId: sku.id, quantity: 1 }])));
      expect(results.filter((r) => r.status === 201)).toHaveLength(50);
      const refused = results.filter((r) => r.status === 409);
      expect(refused).toHaveLength(250);
      for (const r of refused) {
        expect(r.body.error).toMatchObject({ code: 'INVENTORY.INSUFFICIENT_STOCK', details: { skuIds: [sku.id] } });
      }
      expect(await skuRows([sku.id])).toEqual([{ stock: 50, locked_stock: 50 }]);
      const { rows } = await db.query('SELECT status, count(*)::int AS n FROM stock_locks WHERE sku_id = $1 GROUP BY status', [sku.id]);
      expect(rows).toEqual([{ status: 'LOCKED', n: 50 }]);
    });

    it('multi-SKU orders racing over overlapping SKUs: no 5xx, and each order is locked fully or not at all', async () => {
      const skus = await createSkus([5, 7, 9]);
      const orders = randomOrders(skus, 60, 20261121, 3);
      const deadlocksBefore = await deadlocks();
      const results = await Promise.all(orders.map((o) => lock(o.orderSn, o.items)));
      expect(results.filter((r) => r.status !== 201 && r.status !== 409).map((r) => `${r.status} ${r.text}`)).toEqual([]);
      expect(results.some((r) => r.status === 201) && results.some((r) => r.status === 409)).toBe(true);
      // The transaction host would retry a deadlock and hide it from the answers; the database's own
      // counter does not (it may lag, which can only make this pass, never fail, wrongly).
      expect(await deadlocks()).toBe(deadlocksBefore);
      for (const [i, o] of orders.entries()) {
        const expected = results[i].status === 201 ? [...o.items].sort((a, b) => a.skuId - b.skuId) : [];
        const held = (await lockRows(o.orderSn)).map((r) => ({ skuId: r.sku_id, quantity: r.quantity }));
        expect({ orderSn: o.orderSn, held }).toEqual({ orderSn: o.orderSn, held: expected });
        if (results[i].status === 409) {
          expect(results[i].body.error.code).toBe('INVENTORY.INSUFFICIENT_STOCK');
          expect(o.items.map((it) => it.skuId)).toEqual(expect.arrayContaining(results[i].body.error.details.skuIds));
        }
      }
    });

    it('answers the locked items, sorted by skuId, with the given expiry', async () => {
      const [a, b] = await createSkus([5, 5]);
      const orderSn = newOrderSn();
      const expiresAt = '2099-01-02T03:04:05.678Z';
      const res = await lock(orderSn, [line(b.id, 2), line(a.id, 3)], expiresAt);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        orderSn,
        items: [
          { skuId: a.id, quantity: 3, status: 'LOCKED', expiresAt },
          { skuId: b.id, quantity: 2, status: 'LOCKED', expiresAt },
        ],
      });
      expect((await getLocks(orderSn)).body).toEqual(res.body);
      expect(await skuRows([a.id, b.id])).toEqual([
        { stock: 5, locked_stock: 3 },
        { stock: 5, locked_stock: 2 },
      ]);
    });

    it('any item short rolls back every item and names every short SKU', async () => {
      const [ok, short1, short2] = await createSkus([2, 2, 2]);
      const orderSn = newOrderSn();
      // Sorted by skuId, `ok` is locked first and must be rolled back when the later ones are short.
      const res = await lock(orderSn, [line(short2.id, 3), line(ok.id, 2), line(short1.id, 5)]);
      expectError(res, 409, 'INVENTORY.INSUFFICIENT_STOCK');
      expect(res.body.error.details).toEqual({ skuIds: [short1.id, short2.id] });
      expect(await skuRows([ok.id])).toEqual([{ stock: 2, locked_stock: 0 }]);
      expect(await lockRows(orderSn)).toEqual([]);
      expectError(await getLocks(orderSn), 404, 'INVENTORY.LOCK_NOT_FOUND');
    });

    it('an unknown SKU is 404 with every unknown id, locks nothing and records nothing', async () => {
      const sku = await createSku(sys.url.inventory, { stock: 5 });
      const orderSn = newOrderSn();
      const res = await lock(orderSn, [line(sku.id, 1), line(2_000_000_001, 1), line(2_000_000_000, 1)]);
      expectError(res, 404, 'INVENTORY.SKU_NOT_FOUND');
      expect(res.body.error.details).toEqual({ skuIds: [2_000_000_000, 2_000_000_001] });
      expect(await skuRows([sku.id])).toEqual([{ stock: 5, locked_stock: 0 }]);
      expect(await lockRows(orderSn)).toEqual([]);
      // Not an outcome: the orderSn stays free for a correct request.
      expect((await lock(orderSn, [{ skuId: sku.id, quantity: 1 }])).status).toBe(201);
    });

    describe('with expectedTotal (the submit re-prices in the lock request)', () => {
      const lockAt = (orderSn: string, items: Line[], expectedTotal: number): Promise<HttpResult> =>
        http('POST', `${sys.url.inventory}/internal/stock-locks`, {
          headers: internal,
          body: { orderSn, expiresAt: inOneHour(), items, expectedTotal },
        });

      it('locks at the total the current prices give, and answers those prices by skuId', async () => {
        const a = await createSku(sys.url.inventory, { stock: 5, price: 1250, title: 'Mug' });
        const b = await createSku(sys.url.inventory, { stock: 5, price: 300, title: 'Spoon' });
        const orderSn = newOrderSn();
        const res = await lockAt(orderSn, [line(b.id, 3), line(a.id, 2)], 2 * 1250 + 3 * 300);
        expect(res.status).toBe(201);
        expect(res.body.prices).toEqual([
          { skuId: a.id, title: 'Mug', unitPrice: 1250 },
          { skuId: b.id, title: 'Spoon', unitPrice: 300 },
        ]);
        expect(await skuRows([a.id, b.id])).toEqual([
          { stock: 5, locked_stock: 2 },
          { stock: 5, locked_stock: 3 },
        ]);
      });

      it('another total is 409 INVENTORY.PRICE_CHANGED with the current total, locks nothing and records nothing', async () => {
        const sku = await createSku(sys.url.inventory, { stock: 5, price: 1000 });
        await http('PATCH', `${sys.url.inventory}/admin/skus/${sku.id}`, { headers: internal, body: { price: 1100 } });
        const orderSn = newOrderSn();
        const res = await lockAt(orderSn, [line(sku.id, 2)], 2000);
        expectError(res, 409, 'INVENTORY.PRICE_CHANGED');
        expect(res.body.error.details).toEqual({ expectedTotal: 2000, currentTotal: 2200 });
        expect(await skuRows([sku.id])).toEqual([{ stock: 5, locked_stock: 0 }]);
        expect(await lockRows(orderSn)).toEqual([]);
        // Not an outcome: the orderSn is free for a request at the current prices.
        expect((await lockAt(orderSn, [line(sku.id, 2)], 2200)).status).toBe(201);
      });

      it('an unknown SKU is still 404 with its id, before any price is judged', async () => {
        const sku = await createSku(sys.url.inventory, { stock: 5, price: 1000 });
        const res = await lockAt(newOrderSn(), [line(sku.id, 1), line(2_000_000_002, 1)], 1);
        expectError(res, 404, 'INVENTORY.SKU_NOT_FOUND');
        expect(res.body.error.details).toEqual({ skuIds: [2_000_000_002] });
        expect(await skuRows([sku.id])).toEqual([{ stock: 5, locked_stock: 0 }]);
      });

      it('a total over the order cap is 400 VALIDATION.FAILED, as the order service prices, and locks nothing', async () => {
        const sku = await createSku(sys.url.inventory, { stock: 5, price: 1_000_000_000 });
        const orderSn = newOrderSn();
        const res = await lockAt(orderSn, [line(sku.id, 3)], 3_000_000_000);
        expectError(res, 400, 'VALIDATION.FAILED');
        expect(await skuRows([sku.id])).toEqual([{ stock: 5, locked_stock: 0 }]);
        expect(await lockRows(orderSn)).toEqual([]);
      });

      it('without expectedTotal the answer has no prices (the SPEC §5 call is unchanged)', async () => {
        const sku = await createSku(sys.url.inventory, { stock: 5 });
        const res = await lock(newOrderSn(), [line(sku.id, 1)]);
        expect(res.status).toBe(201);
        expect(res.body).not.toHaveProperty('prices');
      });
    });

    it('one batch (one stock_lock_acquire statement) decides every kind of request on its own, in arrival order', async () => {
      // The group commit puts unrelated requests in one statement: each must get exactly the
      // outcome it would get alone, in the order given. Called directly, so the batch is known.
      const [a, b] = await createSkus([3, 2]);
      const [taken, unknown, short, fits, multi, after] = [1, 2, 3, 4, 5, 6].map(() => newOrderSn());
      const batch: Array<[string, Line[]]> = [
        [taken, [line(a.id, 2)]], // a: 3 → 1 left
        [unknown, [line(a.id, 1), line(2_000_000_003, 1), line(2_000_000_002, 1)]], // claims nothing
        [short, [line(a.id, 1), line(b.id, 3)]], // b has 2: all or nothing, so a keeps its 1
        [fits, [line(a.id, 1), line(b.id, 2)]], // a later request that fits is not blocked by the short one
        [taken, [line(a.id, 2)]], // the same orderSn again in the same batch: the first claims it
        [multi, [line(a.id, 1)]], // a is empty now
        [after, [line(b.id, 1)]], // so is b
      ];
      const { rows } = await db.query<{ order_sn: string; outcome: string; sku_ids: number[] }>(
        'SELECT order_sn, outcome, sku_ids FROM stock_lock_acquire($1::varchar[], $2::timestamptz[], $3::jsonb[])',
        [batch.map(([sn]) => sn), batch.map(() => inOneHour()), batch.map(([, items]) => JSON.stringify(items))],
      );
      expect(rows).toEqual([
        { order_sn: taken, outcome: 'LOCKED', sku_ids: [] },
        { order_sn: unknown, outcome: 'UNKNOWN', sku_ids: [2_000_000_002, 2_000_000_003] },
        { order_sn: short, outcome: 'REJECTED', sku_ids: [b.id] },
        { order_sn: fits, outcome: 'LOCKED', sku_ids: [] },
        { order_sn: taken, outcome: 'DUPLICATE', sku_ids: [] },
        { order_sn: multi, outcome: 'REJECTED', sku_ids: [a.id] },
        { order_sn: after, outcome: 'REJECTED', sku_ids: [b.id] },
      ]);
      expect(await skuRows([a.id, b.id])).toEqual([
        { stock: 3, locked_stock: 3 },
        { stock: 2, locked_stock: 2 },
      ]);
      expect(await lockRows(taken)).toEqual([{ sku_id: a.id, quantity: 2, status: 'LOCKED' }]);
      expect(await lockRows(fits)).toEqual([
        { sku_id: a.id, quantity: 1, status: 'LOCKED' },
        { sku_id: b.id, quantity: 2, status: 'LOCKED' },
      ]);
      const requests = await db.query(
        'SELECT order_sn, outcome, short_sku_ids FROM stock_lock_requests WHERE order_sn = ANY($1) ORDER BY order_sn',
        [[taken, unknown, short, fits, multi, after]],
      );
      expect(requests.rows).toEqual(
        [
          { order_sn: taken, outcome: 'LOCKED', short_sku_ids: [] },
          { order_sn: short, outcome: 'REJECTED', short_sku_ids: [b.id] },
          { order_sn: fits, outcome: 'LOCKED', short_sku_ids: [] },
          { order_sn: multi, outcome: 'REJECTED', short_sku_ids: [a.id] },
          { order_sn: after, outcome: 'REJECTED', short_sku_ids: [b.id] },
        ].sort((x, y) => x.order_sn.localeCompare(y.order_sn)),
      );
    });
  });

  describe('idempotency per orderSn', () => {
    it('the same orderSn 20 times at once locks once; every answer describes the same locks', async () => {
      const [a, b] = await createSkus([10, 10]);
      const orderSn = newOrderSn();
      const items = [line(a.id, 2), line(b.id, 3)];
      const results = await Promise.all(Array.from({ length: 20 }, () => lock(orderSn, items)));
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      expect(results.filter((r) => r.status === 200)).toHaveLength(19);
      for (const r of results) {
        expect(r.body).toEqual(results[0].body);
      }
      expect(await lockRows(orderSn)).toEqual([
        { sku_id: a.id, quantity: 2, status: 'LOCKED' },
        { sku_id: b.id, quantity: 3, status: 'LOCKED' },
      ]);
      expect(await skuRows([a.id, b.id])).toEqual([
        { stock: 10, locked_stock: 2 },
        { stock: 10, locked_stock: 3 },
      ]);
      // A later replay (items listed in another order, another expiry) answers the same with 200.
      const replay = await lock(orderSn, [...items].reverse(), '2099-01-01T00:00:00Z');
      expect({ status: replay.status, body: replay.body }).toEqual({ status: 200, body: results[0].body });
    });

    it('a rejected orderSn stays rejected with the same details, even after restocking', async () => {
      const sku = await createSku(sys.url.inventory, { stock: 1 });
      const orderSn = newOrderSn();
      const first = await lock(orderSn, [{ skuId: sku.id, quantity: 2 }]);
      expectError(first, 409, 'INVENTORY.INSUFFICIENT_STOCK');
      const restock = await http('PATCH', `${sys.url.inventory}/admin/skus/${sku.id}`, { headers: internal, body: { stockDelta: 10 } });
      expect(restock.status).toBe(200);
      const again = await Promise.all(Array.from({ length: 5 }, () => lock(orderSn, [{ skuId: sku.id, quantity: 2 }])));
      for (const r of again) {
        expectError(r, 409, 'INVENTORY.INSUFFICIENT_STOCK');
        expect(r.body.error.details).toEqual({ skuIds: [sku.id] });
      }
      expect(await skuRows([sku.id])).toEqual([{ stock: 11, locked_stock: 0 }]);
      expect(await lockRows(orderSn)).toEqual([]);
      const { rows } = await db.query('SELECT outcome, items, short_sku_ids FROM stock_lock_requests WHERE order_sn = $1', [orderSn]);
      expect(rows).toEqual([{ outcome: 'REJECTED', items: [{ skuId: sku.id, quantity: 2 }], short_sku_ids: [sku.id] }]);
    });

    it('a repeat with different items is 409 LOCK_CONFLICT and changes nothing', async () => {
      const [a, b] = await createSkus([10, 1]);
      const locked = newOrderSn();
      const rejected = newOrderSn();
      expect((await lock(locked, [{ skuId: a.id, quantity: 2 }])).status).toBe(201);
      expect((await lock(rejected, [{ skuId: b.id, quantity: 5 }])).status).toBe(409);
      const variants: Line[][] = [[line(a.id, 3)], [line(a.id, 2), line(b.id, 1)], [line(b.id, 1)]];
      for (const orderSn of [locked, rejected]) {
        for (const items of variants) {
          expectError(await lock(orderSn, items), 409, 'INVENTORY.LOCK_CONFLICT');
        }
      }
      expect(await skuRows([a.id, b.id])).toEqual([
        { stock: 10, locked_stock: 2 },
        { stock: 1, locked_stock: 0 },
      ]);
      expect(await lockRows(locked)).toEqual([{ sku_id: a.id, quantity: 2, status: 'LOCKED' }]);
    });
  });

  describe('release and deduct', () => {
    async function lockedOrder(stocks: number[], quantity: number): Promise<{ orderSn: string; ids: number[] }> {
      const skus = await createSkus(stocks);
      const orderSn = newOrderSn();
      expect(
        (
          await lock(
            orderSn,
            skus.map((s) => line(s.id, quantity)),
          )
        ).status,
      ).toBe(201);
      return { orderSn, ids: skus.map((s) => s.id) };
    }

    it('release gives the units back once, emits one StockReleased, and replays change nothing', async () => {
      const { orderSn, ids } = await lockedOrder([10, 10], 4);
      const results = await Promise.all(Array.from({ length: 5 }, () => release(orderSn)));
      for (const r of results) {
        expect(r.status).toBe(200);
        expect(r.body).toEqual({ orderSn, items: ids.map((skuId) => expect.objectContaining({ skuId, quantity: 4, status: 'RELEASED' })) });
      }
      expect(await skuRows(ids)).toEqual(ids.map(() => ({ stock: 10, locked_stock: 0 })));
      const events = await outbox(orderSn);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        topic: 'inventory.events',
        type: 'StockReleased',
        envelope: {
          type: 'StockReleased',
          version: 1,
          aggregateId: orderSn,
          payload: { orderSn, items: ids.map((skuId) => ({ skuId, quantity: 4 })) },
        },
      });
      expect((await getLocks(orderSn)).body).toEqual(results[0].body);
    });

    it('deduct takes the units out of stock once and emits one StockDeducted; a later release changes nothing', async () => {
      const { orderSn, ids } = await lockedOrder([10, 6], 3);
      const after = await Promise.all(Array.from({ length: 5 }, () => locks.deduct(orderSn)));
      for (const result of after) {
        expect(result.map((l) => [l.skuId, l.status])).toEqual(ids.map((id) => [id, 'DEDUCTED']));
      }
      expect(await skuRows(ids)).toEqual([
        { stock: 7, locked_stock: 0 },
        { stock: 3, locked_stock: 0 },
      ]);
      const res = await release(orderSn);
      expect(res.status).toBe(200);
      expect(res.body.items.map((i: { status: string }) => i.status)).toEqual(['DEDUCTED', 'DEDUCTED']);
      expect(await skuRows(ids)).toEqual([
        { stock: 7, locked_stock: 0 },
        { stock: 3, locked_stock: 0 },
      ]);
      const events = await outbox(orderSn);
      expect(events.map((e) => [e.topic, e.type])).toEqual([['inventory.events', 'StockDeducted']]);
      expect(events[0].envelope.payload).toEqual({ orderSn, items: ids.map((skuId) => ({ skuId, quantity: 3 })) });
    });

    it('release and deduct racing on one order: exactly one of them happens, with exactly one event', async () => {
      const { orderSn, ids } = await lockedOrder([5, 5, 5], 2);
      await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? release(orderSn) : locks.deduct(orderSn))));
      const rows = await lockRows(orderSn);
      const status = rows[0].status;
      expect(['RELEASED', 'DEDUCTED']).toContain(status);
      expect(rows.map((r) => r.status)).toEqual([status, status, status]);
      const events = await outbox(orderSn);
      expect(events.map((e) => e.type)).toEqual([status === 'DEDUCTED' ? 'StockDeducted' : 'StockReleased']);
      const stock = status === 'DEDUCTED' ? 3 : 5;
      expect(await skuRows(ids)).toEqual(ids.map(() => ({ stock, locked_stock: 0 })));
    });

    it('releases, deducts and new locks racing over shared SKUs: no errors, no deadlocks, invariants hold', async () => {
      const skus = await createSkus([40, 40, 40]);
      const [existing, newcomers] = [randomOrders(skus, 20, 7, 2), randomOrders(skus, 30, 8, 2)];
      for (const o of existing) {
        expect((await lock(o.orderSn, o.items)).status).toBe(201);
      }
      const before = await deadlocks();
      const settled = existing.map((o, i) => (i % 2 ? release(o.orderSn).then((r) => r.status) : locks.deduct(o.orderSn).then(() => 200)));
      const fresh = newcomers.map((o) => lock(o.orderSn, o.items).then((r) => r.status));
      const statuses = await Promise.all([...settled, ...fresh]);
      expect(statuses.filter((s) => ![200, 201, 409].includes(s))).toEqual([]);
      expect(await deadlocks()).toBe(before);
      const { rows } = await db.query(
        `SELECT type, count(*)::int AS n FROM outbox_events WHERE message_key = ANY($1) GROUP BY type ORDER BY type`,
        [existing.map((o) => o.orderSn)],
      );
      expect(rows).toEqual([
        { type: 'StockDeducted', n: 10 },
        { type: 'StockReleased', n: 10 },
      ]);
    });

    it('an orderSn without locks is 404 LOCK_NOT_FOUND for get, release and deduct', async () => {
      const orderSn = newOrderSn();
      expectError(await getLocks(orderSn), 404, 'INVENTORY.LOCK_NOT_FOUND');
      expectError(await release(orderSn), 404, 'INVENTORY.LOCK_NOT_FOUND');
      await expect(locks.deduct(orderSn)).rejects.toMatchObject({ code: 'INVENTORY.LOCK_NOT_FOUND' });
      expect(await outbox(orderSn)).toEqual([]);
    });
  });

  describe('a release that overtakes its lock (the caller timed out and gave up)', () => {
    it('a release before the lock makes the later lock a conflict: nothing is locked for nobody', async () => {
      const [sku] = await createSkus([5]);
      const sn = newOrderSn();
      expect((await release(sn)).status).toBe(404);
      const late = await lock(sn, [line(sku.id, 2)]);
      expect(late.status).toBe(409);
      expect(late.body.error.code).toBe('INVENTORY.LOCK_CONFLICT');
      expect((await getLocks(sn)).status).toBe(404);
    });

    it('locks and releases of the same orders racing: no lock is left LOCKED', async () => {
      const [sku] = await createSkus([100]);
      const sns = Array.from({ length: 40 }, () => newOrderSn());
      await Promise.all(sns.flatMap((sn) => [lock(sn, [line(sku.id, 1)]), release(sn)]));
      for (const sn of sns) {
        const locks = await getLocks(sn);
        expect({ sn, statuses: locks.status === 404 ? [] : locks.body.items.map((i: { status: string }) => i.status) }).not.toEqual({
          sn,
          statuses: ['LOCKED'],
        });
      }
    });
  });

  describe('bad input', () => {
    const good = (skuId = 1): Line[] => [{ skuId, quantity: 1 }];

    it.each<[string, Record<string, unknown>]>([
      ['orderSn with letters', { orderSn: '12a' }],
      ['orderSn with a leading zero', { orderSn: '0123' }],
      ['orderSn of 20 digits', { orderSn: '12345678901234567890' }],
      ['orderSn as a number', { orderSn: 123 }],
      ['quantity 0', { items: [{ skuId: 1, quantity: 0 }] }],
      ['quantity 1000', { items: [{ skuId: 1, quantity: 1000 }] }],
      ['quantity 1.5', { items: [{ skuId: 1, quantity: 1.5 }] }],
      ['quantity "1"', { items: [{ skuId: 1, quantity: '1' }] }],
      ['quantity -1', { items: [{ skuId: 1, quantity: -1 }] }],
      ['skuId 0', { items: [{ skuId: 0, quantity: 1 }] }],
      ['skuId beyond INTEGER', { items: [{ skuId: 2 ** 31, quantity: 1 }] }],
      ['duplicate skuIds', { items: [...good(), ...good()] }],
      ['no items', { items: [] }],
      ['101 items', { items: Array.from({ length: 101 }, (_, i) => ({ skuId: i + 1, quantity: 1 })) }],
      ['items not an array', { items: { skuId: 1, quantity: 1 } }],
      ['a null item', { items: [null] }],
      ['a number item', { items: [1, 2] }],
      ['an array of arrays', { items: [[{ skuId: 1, quantity: 1 }]] }],
      ['an empty inner array', { items: [[]] }],
      ['an unknown item field', { items: [{ skuId: 1, quantity: 1, price: 5 }] }],
      ['missing expiresAt', { expiresAt: undefined }],
      ['expiresAt not a date', { expiresAt: 'tomorrow' }],
      ['expiresAt without a zone', { expiresAt: '2099-01-01T00:00:00' }],
      ['expiresAt without a time', { expiresAt: '2099-01-01' }],
      ['expiresAt impossible', { expiresAt: '2099-02-30T00:00:00Z' }],
      ['expiresAt as a number', { expiresAt: Date.now() }],
      ['an unknown field', { userId: 1 }],
    ])('%s → 400 VALIDATION.FAILED', async (_label, patch) => {
      const body = { orderSn: newOrderSn(), expiresAt: inOneHour(), items: good(), ...patch };
      const res = await http('POST', `${sys.url.inventory}/internal/stock-locks`, { headers: internal, body });
      expectError(res, 400, 'VALIDATION.FAILED');
      expect(
        (await db.query('SELECT count(*)::int AS n FROM stock_lock_requests WHERE order_sn = $1', [String(body.orderSn)])).rows[0].n,
      ).toBe(0);
    });

    it('malformed bodies and bad path parameters are 400', async () => {
      const url = `${sys.url.inventory}/internal/stock-locks`;
      for (const rawBody of ['{"orderSn": ', '[1]', 'null', '"x"']) {
        expectError(await http('POST', url, { headers: internal, rawBody }), 400, 'VALIDATION.FAILED');
      }
      for (const bad of ['abc', '0', '-1', '1.5', '12345678901234567890']) {
        expectError(await getLocks(bad), 400, 'VALIDATION.FAILED');
        expectError(await release(bad), 400, 'VALIDATION.FAILED');
      }
    });

    it('every stock-lock route needs the internal token', async () => {
      const orderSn = newOrderSn();
      for (const headers of [{} as Record<string, string>, { 'x-internal-token': 'wrong-wrong-wrong-wrong' }]) {
        const base = `${sys.url.inventory}/internal/stock-locks`;
        for (const res of [
          await http('POST', base, { headers, body: { orderSn, expiresAt: inOneHour(), items: good() } }),
          await http('GET', `${base}/${orderSn}`, { headers }),
          await http('POST', `${base}/${orderSn}/release`, { headers }),
        ]) {
          expectError(res, 401, 'AUTH.UNAUTHENTICATED');
        }
      }
      expect(await lockRows(orderSn)).toEqual([]);
    });
  });
});
