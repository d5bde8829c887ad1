import { http } from '@shop/shared/testing';
import Redis from 'ioredis';
import { Client } from 'pg';
import { StockLockSweeper } from '../../services/inventory/src/stock-locks/stock-lock-sweeper';
import { expectStockInvariants } from '../support/invariants';
import { buyerWithAddress, buyNow, createSku, INTERNAL_TOKEN, startSystem, TestSystem } from '../support/system';

const internal = { 'x-internal-token': INTERNAL_TOKEN };

/**
 * Crashes between "stock locked" and "order written", and the lock sweeper that backs up the
 * immediate release. Failures are real: a trigger makes the order database refuse the write.
 */
describe('no leaked lock, no lost stock (order + inventory + lock sweeper)', () => {
  let sys: TestSystem;
  let orderDb: Client;
  let sweeper: StockLockSweeper;
  beforeAll(async () => {
    sys = await startSystem(['user', 'inventory', 'cart', 'order', 'payment'], { STOCK_LOCK_SWEEP_INTERVAL_MS: '3600000' });
    orderDb = new Client({ connectionString: sys.databaseUrl.order });
    await orderDb.connect();
    sweeper = sys.apps.inventory!.get(StockLockSweeper);
  });
  afterEach(() => expectStockInvariants(sys.databaseUrl.inventory!));
  afterAll(async () => {
    await orderDb.end();
    await sys.stop();
  });

  const sku = (id: number) => http('GET', `${sys.url.inventory}/admin/skus/${id}`, { headers: internal }).then((r) => r.body);
  const lockStatus = async (orderSn: string) =>
    (await http('GET', `${sys.url.inventory}/internal/stock-locks/${orderSn}`, { headers: internal })).body.items?.map(
      (i: { status: string }) => i.status,
    );
  /** Locks stock for an order number directly, as a crashed order service would have left it. */
  const orphanLock = (orderSn: string, skuId: number, quantity: number, expiresAt = new Date(Date.now() - 1000)) =>
    http('POST', `${sys.url.inventory}/internal/stock-locks`, {
      headers: internal,
      body: { orderSn, expiresAt: expiresAt.toISOString(), items: [{ skuId, quantity }] },
    });
  const insertOrder = (orderSn: string, status: 'UNPAID' | 'PAID' | 'CANCELLED') =>
    orderDb.query(
      `INSERT INTO orders (order_sn, user_id, status, total_amount, pay_deadline, paid_at, cancel_reason, cancelled_at)
       VALUES ($1, 1, $2, 100, now(), $3, $4, $5)`,
      [
        orderSn,
        status,
        status === 'PAID' ? new Date() : null,
        status === 'CANCELLED' ? 'TIMEOUT' : null,
        status === 'CANCELLED' ? new Date() : null,
      ],
    );
  /** A real failure: a trigger makes the order database refuse every order insert. */
  const failOrderWrites = async () => {
    await orderDb.query(`CREATE OR REPLACE FUNCTION fail_order_insert() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'injected failure: order database refused the write'; END $$ LANGUAGE plpgsql`);
    await orderDb.query('CREATE TRIGGER fail_order_insert BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION fail_order_insert()');
  };
  let nextSn = BigInt(Date.now()) * 1000n;
  const freshSn = () => String(nextSn++);

  it('the order write fails after the stock was locked: the locks are released at once, no order, no event', async () => {
    const buyer = await buyerWithAddress(sys.url.user);
    const s = await createSku(sys.url.inventory, { price: 100, stock: 5 });
    await failOrderWrites();
    try {
      const { confirm, submit } = await buyNow(sys, buyer, s.id, 2);
      expect(submit.status).toBe(500);
      expect(submit.body.error.code).toBe('INTERNAL');
      expect(submit.text).not.toContain('injected failure');
      expect(await lockStatus(confirm.body.orderToken)).toEqual(['RELEASED']);
      expect(await sku(s.id)).toMatchObject({ stock: 5, lockedStock: 0 });
      expect((await orderDb.query('SELECT 1 FROM outbox_events WHERE message_key = $1', [confirm.body.orderToken])).rowCount).toBe(0);
    } finally {
      await orderDb.query('DROP TRIGGER fail_order_insert ON orders');
    }
    expect((await buyNow(sys, buyer, s.id, 5)).submit.status).toBe(201); // all 5 units are sellable again
  });

  it('the OrderCreated outbox row is refused: no order either (one statement writes both), the locks are released', async () => {
    const buyer = await buyerWithAddress(sys.url.user);
    const s = await createSku(sys.url.inventory, { price: 100, stock: 3 });
    await orderDb.query(`CREATE OR REPLACE FUNCTION fail_order_created() RETURNS trigger AS $$
      BEGIN IF NEW.type = 'OrderCreated' THEN RAISE EXCEPTION 'injected failure: outbox refused the row'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await orderDb.query(
      'CREATE TRIGGER fail_order_created BEFORE INSERT ON outbox_events FOR EACH ROW EXECUTE FUNCTION fail_order_created()',
    );
    try {
      const { confirm, submit } = await buyNow(sys, buyer, s.id, 3);
      expect(submit.status).toBe(500);
      const orderSn = confirm.body.orderToken;
      for (const table of ['orders', 'order_items', 'order_logistics', 'outbox_events']) {
        const column = table === 'outbox_events' ? 'message_key' : 'order_sn';
        const rows = (await orderDb.query(`SELECT 1 FROM ${table} WHERE ${column} = $1`, [orderSn])).rowCount;
        expect({ table, rows }).toEqual({ table, rows: 0 });
      }
      expect(await lockStatus(orderSn)).toEqual(['RELEASED']);
      expect(await sku(s.id)).toMatchObject({ stock: 3, lockedStock: 0 });
    } finally {
      await orderDb.query('DROP TRIGGER fail_order_created ON outbox_events');
    }
    expect((await buyNow(sys, buyer, s.id, 3)).submit.status).toBe(201);
  });

  it('a token replayed after its submit failed (Redis forgot the spend) cannot create an order without stock', async () => {
    const buyer = await buyerWithAddress(sys.url.user);
    const s = await createSku(sys.url.inventory, { price: 100, stock: 2 });
    await failOrderWrites();
    let first;
    try {
      first = await buyNow(sys, buyer, s.id, 2);
      expect(first.submit.status).toBe(500);
    } finally {
      await orderDb.query('DROP TRIGGER fail_order_insert ON orders');
    }
    expect(await lockStatus(first.confirm.body.orderToken)).toEqual(['RELEASED']);
    const redis = new Redis(sys.env.REDIS_URL!, { keyPrefix: sys.env.REDIS_KEY_PREFIX });
    await redis.set(`order-token:${first.confirm.body.orderToken}`, String(buyer.id));
    await redis.quit();
    const replay = await http('POST', `${sys.url.order}/orders`, {
      token: buyer.token,
      body: {
        orderToken: first.confirm.body.orderToken,
        addressId: buyer.addressId,
        items: [{ skuId: s.id, quantity: 2 }],
        expectedTotal: 200,
      },
    });
    expect(replay.status).toBe(409);
    expect(replay.body.error.code).toBe('ORDER.DUPLICATE_SUBMIT');
    expect((await orderDb.query('SELECT 1 FROM orders WHERE order_sn = $1', [first.confirm.body.orderToken])).rowCount).toBe(0);
    expect(await sku(s.id)).toMatchObject({ stock: 2, lockedStock: 0 });
  });

  it('sweeper: an expired lock whose order never got written (process died) is released', async () => {
    const s = await createSku(sys.url.inventory, { stock: 3 });
    const sn = freshSn();
    expect((await orphanLock(sn, s.id, 3)).status).toBe(201);
    expect(await sku(s.id)).toMatchObject({ lockedStock: 3, available: 0 });
    await sweeper.sweepOnce();
    expect(await lockStatus(sn)).toEqual(['RELEASED']);
    expect(await sku(s.id)).toMatchObject({ stock: 3, lockedStock: 0 });
  });

  it('sweeper: a PAID order’s expired lock is deducted, never released', async () => {
    const s = await createSku(sys.url.inventory, { stock: 10 });
    const sn = freshSn();
    await orphanLock(sn, s.id, 4);
    await insertOrder(sn, 'PAID');
    await sweeper.sweepOnce();
    expect(await lockStatus(sn)).toEqual(['DEDUCTED']);
    expect(await sku(s.id)).toMatchObject({ stock: 6, lockedStock: 0 });
    await sweeper.sweepOnce(); // a replay changes nothing
    expect(await sku(s.id)).toMatchObject({ stock: 6, lockedStock: 0 });
  });

  it('sweeper: a CANCELLED order’s lock is released; an UNPAID order’s lock is left alone; an unexpired lock is not touched', async () => {
    const s = await createSku(sys.url.inventory, { stock: 10 });
    const cancelled = freshSn();
    const unpaid = freshSn();
    const fresh = freshSn();
    await orphanLock(cancelled, s.id, 1);
    await insertOrder(cancelled, 'CANCELLED');
    await orphanLock(unpaid, s.id, 2);
    await insertOrder(unpaid, 'UNPAID');
    await orphanLock(fresh, s.id, 3, new Date(Date.now() + 3600_000));
    await sweeper.sweepOnce();
    expect(await lockStatus(cancelled)).toEqual(['RELEASED']);
    expect(await lockStatus(unpaid)).toEqual(['LOCKED']);
    expect(await lockStatus(fresh)).toEqual(['LOCKED']);
    expect(await sku(s.id)).toMatchObject({ stock: 10, lockedStock: 5 });
  });

  it('sweeper: when the order service cannot answer, nothing is released', async () => {
    const lonely = await startSystem(['inventory'], { ORDER_SERVICE_URL: 'http://127.0.0.1:9', STOCK_LOCK_SWEEP_INTERVAL_MS: '3600000' });
    try {
      const s = await createSku(lonely.url.inventory, { stock: 2 });
      const sn = freshSn();
      await http('POST', `${lonely.url.inventory}/internal/stock-locks`, {
        headers: internal,
        body: { orderSn: sn, expiresAt: new Date(Date.now() - 1000).toISOString(), items: [{ skuId: s.id, quantity: 2 }] },
      });
      await lonely.apps.inventory!.get(StockLockSweeper).sweepOnce();
      const after = await http('GET', `${lonely.url.inventory}/internal/stock-locks/${sn}`, { headers: internal });
      expect(after.body.items[0].status).toBe('LOCKED');
      await expectStockInvariants(lonely.databaseUrl.inventory!);
    } finally {
      await lonely.stop();
    }
  });
});
