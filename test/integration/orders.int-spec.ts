import { http } from '@shop/shared/testing';
import Redis from 'ioredis';
import { Client } from 'pg';
import { InventoryTx } from '../../services/inventory/src/infrastructure/prisma/inventory-prisma.service';
import { expectStockInvariants } from '../support/invariants';
import { buyerWithAddress, buyNow, createSku, INTERNAL_TOKEN, startSystem, TestSystem } from '../support/system';

const internal = { 'x-internal-token': INTERNAL_TOKEN };

describe('order submission and stock locking (order + inventory + user + cart + payment, real Postgres/Redis)', () => {
  let sys: TestSystem;
  let orderDb: Client;
  beforeAll(async () => {
    sys = await startSystem(['user', 'inventory', 'cart', 'order', 'payment'], { STOCK_LOCK_SWEEP_INTERVAL_MS: '3600000' });
    orderDb = new Client({ connectionString: sys.databaseUrl.order });
    await orderDb.connect();
  });
  afterEach(() => expectStockInvariants(sys.databaseUrl.inventory!));
  afterAll(async () => {
    await orderDb.end();
    await sys.stop();
  });

  const sku = (id: number) => http('GET', `${sys.url.inventory}/admin/skus/${id}`, { headers: internal }).then((r) => r.body);
  const locks = (orderSn: string) => http('GET', `${sys.url.inventory}/internal/stock-locks/${orderSn}`, { headers: internal });

  it('confirm (buy-now) prices the item, lists the addresses and issues a token; submit creates the order', async () => {
    const buyer = await buyerWithAddress(sys.url.user);
    const s = await createSku(sys.url.inventory, { price: 8880, stock: 5, title: 'Desk mat' });
    const { confirm, submit } = await buyNow(sys, buyer, s.id, 2);
    expect(confirm.body).toMatchObject({
      items: [{ skuId: s.id, title: 'Desk mat', unitPrice: 8880, quantity: 2, subtotal: 17760 }],
      totalAmount: 17760,
      addresses: [expect.objectContaining({ id: buyer.addressId, isDefault: true })],
    });
    expect(confirm.body.orderToken).toMatch(/^[1-9]\d{0,18}$/);
    expect(submit.status).toBe(201);
    expect(submit.body).toEqual({
      orderSn: confirm.body.orderToken,
      status: 'UNPAID',
      totalAmount: 17760,
      payDeadline: expect.any(String),
    });

    const order = await http('GET', `${sys.url.order}/orders/${submit.body.orderSn}`, { token: buyer.token });
    expect(order.body).toMatchObject({
      orderSn: submit.body.orderSn,
      status: 'UNPAID',
      items: [{ skuId: s.id, title: 'Desk mat', unitPrice: 8880, quantity: 2, subtotal: 17760 }],
      address: { receiver: 'Li Lei', phone: '+86 138 0000 0000', region: 'Zhejiang Hangzhou', detail: 'No. 1 Wensan Road' },
      paidAt: null,
      cancelReason: null,
    });
    const deadline = Date.parse(order.body.payDeadline) - Date.parse(order.body.createdAt);
    expect(deadline).toBeGreaterThan(890_000);
    expect(deadline).toBeLessThan(910_000);
    expect((await locks(submit.body.orderSn)).body.items).toEqual([
      expect.objectContaining({ skuId: s.id, quantity: 2, status: 'LOCKED' }),
    ]);
    expect(await sku(s.id)).toMatchObject({ stock: 5, lockedStock: 2, available: 3 });
    const outbox = await orderDb.query('SELECT type, topic, message_key, envelope FROM outbox_events WHERE message_key = $1', [
      submit.body.orderSn,
    ]);
    expect(outbox.rows).toEqual([
      expect.objectContaining({ type: 'OrderCreated', topic: 'order.events', message_key: submit.body.orderSn }),
    ]);
    expect(outbox.rows[0].envelope).toMatchObject({
      type: 'OrderCreated',
      version: 1,
      aggregateId: submit.body.orderSn,
      payload: { totalAmount: 17760 },
    });
  });

  it('confirm from the cart takes only the checked items; an empty selection is 400 ORDER.EMPTY', async () => {
    const buyer = await buyerWithAddress(sys.url.user);
    const a = await createSku(sys.url.inventory, { price: 100 });
    const b = await createSku(sys.url.inventory, { price: 300 });
    expect((await http('GET', `${sys.url.order}/orders/confirm`, { token: buyer.token })).body.error.code).toBe('ORDER.EMPTY');
    await http('POST', `${sys.url.cart}/cart/items`, { token: buyer.token, body: { skuId: a.id, quantity: 2 } });
    await http('POST', `${sys.url.cart}/cart/items`, { token: buyer.token, body: { skuId: b.id, quantity: 1 } });
    await http('PATCH', `${sys.url.cart}/cart/items/${b.id}`, { token: buyer.token, body: { checked: false } });
    const confirm = await http('GET', `${sys.url.order}/orders/confirm`, { token: buyer.token });
    expect(confirm.status).toBe(200);
    expect(confirm.body.items).toEqual([{ skuId: a.id, title: a.title, unitPrice: 100, quantity: 2, subtotal: 200 }]);
    expect(confirm.body.totalAmount).toBe(200);
  });

  it('300 concurrent submits for a SKU with stock 50 (distinct buyers and tokens): exactly 50 orders', async () => {
    const s = await createSku(sys.url.inventory, { price: 990, stock: 50 });
    const buyers = [];
    for (let i = 0; i < 300; i += 50) {
      buyers.push(...(await Promise.all(Array.from({ length: 50 }, () => buyerWithAddress(sys.url.user)))));
    }
    const confirms = await Promise.all(
      buyers.map((b) => http('GET', `${sys.url.order}/orders/confirm?skuId=${s.id}&quantity=1`, { token: b.token })),
    );
    expect(new Set(confirms.map((c) => c.body.orderToken)).size).toBe(300);
    const results = await Promise.all(
      buyers.map((b, i) =>
        http('POST', `${sys.url.order}/orders`, {
          token: b.token,
          body: {
            orderToken: confirms[i].body.orderToken,
            addressId: b.addressId,
            items: [{ skuId: s.id, quantity: 1 }],
            expectedTotal: 990,
          },
        }),
      ),
    );
    const byStatus = results.reduce<Record<string, number>>((acc, r) => {
      const key = `${r.status} ${r.body?.error?.code ?? ''}`.trim();
      acc[key] = (acc[key] ?? 0) + 1;
      return acc;
    }, {});
    expect(byStatus).toEqual({ '201': 50, '409 INVENTORY.INSUFFICIENT_STOCK': 250 });
    expect(await sku(s.id)).toMatchObject({ stock: 50, lockedStock: 50, available: 0 });
    const orders = await orderDb.query('SELECT count(*)::int AS n FROM orders o JOIN order_items i USING (order_sn) WHERE i.sku_id = $1', [
      s.id,
    ]);
    expect(orders.rows[0].n).toBe(50);
  });

  it('multi-SKU orders racing over overlapping SKUs: no deadlock reaches a buyer, no partial lock remains', async () => {
    const skus = await Promise.all([1, 2, 3].map(() => createSku(sys.url.inventory, { price: 100, stock: 12 })));
    const buyers = await Promise.all(Array.from({ length: 40 }, () => buyerWithAddress(sys.url.user)));
    const baskets = buyers.map((_, i) => {
      const picks = [skus[i % 3], skus[(i + 1) % 3], ...(i % 2 ? [skus[(i + 2) % 3]] : [])];
      return picks.map((p) => ({ skuId: p.id, quantity: 1 + (i % 2) }));
    });
    const tokens = await Promise.all(
      buyers.map((b) => http('GET', `${sys.url.order}/orders/confirm?skuId=${skus[0].id}&quantity=1`, { token: b.token })),
    );
    const results = await Promise.all(
      buyers.map((b, i) =>
        http('POST', `${sys.url.order}/orders`, {
          token: b.token,
          body: {
            orderToken: tokens[i].body.orderToken,
            addressId: b.addressId,
            items: baskets[i],
            expectedTotal: baskets[i].reduce((t, l) => t + 100 * l.quantity, 0),
          },
        }),
      ),
    );
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    expect(results.every((r) => r.status === 201 || r.body.error.code === 'INVENTORY.INSUFFICIENT_STOCK')).toBe(true);
    for (const [i, r] of results.entries()) {
      const l = await locks(tokens[i].body.orderToken);
      if (r.status === 201) {
        expect(l.body.items.map((x: { skuId: number; status: string }) => [x.skuId, x.status]).sort()).toEqual(
          baskets[i].map((x) => [x.skuId, 'LOCKED']).sort(),
        );
      } else {
        expect(l.status).toBe(404);
      }
    }
    expect(results.filter((r) => r.status === 201).length).toBeGreaterThan(0);
    // Not one deadlock even had to be retried: the skuId lock order prevents them.
    expect(sys.apps.inventory!.get(InventoryTx).retries).toBe(0);
  });

  it('the same token submitted 20 times concurrently yields exactly one order', async () => {
    const buyer = await buyerWithAddress(sys.url.user);
    const s = await createSku(sys.url.inventory, { price: 500, stock: 100 });
    const confirm = await http('GET', `${sys.url.order}/orders/confirm?skuId=${s.id}&quantity=1`, { token: buyer.token });
    const body = {
      orderToken: confirm.body.orderToken,
      addressId: buyer.addressId,
      items: [{ skuId: s.id, quantity: 1 }],
      expectedTotal: 500,
    };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => http('POST', `${sys.url.order}/orders`, { token: buyer.token, body })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.error.code === 'ORDER.DUPLICATE_SUBMIT')).toHaveLength(19);
    expect(await sku(s.id)).toMatchObject({ lockedStock: 1 });
  });

  it('even if Redis forgets that a token was spent, the database refuses a second order — and keeps the first one’s locks', async () => {
    const buyer = await buyerWithAddress(sys.url.user);
    const s = await createSku(sys.url.inventory, { price: 500, stock: 10 });
    const { confirm, submit } = await buyNow(sys, buyer, s.id, 3);
    expect(submit.status).toBe(201);
    // Simulate a Redis that lost the spend (restore, failover): the token is "fresh" again.
    const redis = new Redis(sys.env.REDIS_URL!, { keyPrefix: sys.env.REDIS_KEY_PREFIX });
    await redis.set(`order-token:${confirm.body.orderToken}`, String(buyer.id));
    await redis.quit();
    const again = await http('POST', `${sys.url.order}/orders`, {
      token: buyer.token,
      body: { orderToken: confirm.body.orderToken, addressId: buyer.addressId, items: [{ skuId: s.id, quantity: 3 }], expectedTotal: 1500 },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ORDER.DUPLICATE_SUBMIT');
    expect((await locks(submit.body.orderSn)).body.items[0].status).toBe('LOCKED');
    expect(await sku(s.id)).toMatchObject({ lockedStock: 3 });
  });

  it('a price changed between confirm and submit is 409 ORDER.PRICE_CHANGED; nothing is locked or ordered', async () => {
    const buyer = await buyerWithAddress(sys.url.user);
    const s = await createSku(sys.url.inventory, { price: 1000, stock: 10 });
    const confirm = await http('GET', `${sys.url.order}/orders/confirm?skuId=${s.id}&quantity=2`, { token: buyer.token });
    await http('PATCH', `${sys.url.inventory}/admin/skus/${s.id}`, { headers: internal, body: { price: 1200 } });
    const res = await http('POST', `${sys.url.order}/orders`, {
      token: buyer.token,
      body: { orderToken: confirm.body.orderToken, addressId: buyer.addressId, items: [{ skuId: s.id, quantity: 2 }], expectedTotal: 2000 },
    });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'ORDER.PRICE_CHANGED', details: { currentTotal: 2400 } });
    expect((await locks(confirm.body.orderToken)).status).toBe(404);
    expect((await orderDb.query('SELECT 1 FROM orders WHERE order_sn = $1', [confirm.body.orderToken])).rowCount).toBe(0);
    expect(await sku(s.id)).toMatchObject({ lockedStock: 0 });
  });

  it("another buyer's address is 404 USER.ADDRESS_NOT_FOUND and locks nothing", async () => {
    const buyer = await buyerWithAddress(sys.url.user);
    const other = await buyerWithAddress(sys.url.user);
    const s = await createSku(sys.url.inventory, { price: 100 });
    const confirm = await http('GET', `${sys.url.order}/orders/confirm?skuId=${s.id}&quantity=1`, { token: buyer.token });
    const res = await http('POST', `${sys.url.order}/orders`, {
      token: buyer.token,
      body: { orderToken: confirm.body.orderToken, addressId: other.addressId, items: [{ skuId: s.id, quantity: 1 }], expectedTotal: 100 },
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('USER.ADDRESS_NOT_FOUND');
    expect((await locks(confirm.body.orderToken)).status).toBe(404);
  });

  it("lists the buyer's orders newest first with paging; another buyer's order is 404 everywhere", async () => {
    const buyer = await buyerWithAddress(sys.url.user);
    const other = await buyerWithAddress(sys.url.user);
    const s = await createSku(sys.url.inventory, { price: 100, stock: 10 });
    const sns = [];
    for (let i = 0; i < 3; i++) {
      sns.push((await buyNow(sys, buyer, s.id, 1)).submit.body.orderSn);
    }
    const page1 = await http('GET', `${sys.url.order}/orders?page=1&pageSize=2`, { token: buyer.token });
    expect(page1.body).toMatchObject({ page: 1, pageSize: 2, total: 3 });
    expect(page1.body.items.map((o: { orderSn: string }) => o.orderSn)).toEqual([sns[2], sns[1]]);
    const page2 = await http('GET', `${sys.url.order}/orders?page=2&pageSize=2`, { token: buyer.token });
    expect(page2.body.items.map((o: { orderSn: string }) => o.orderSn)).toEqual([sns[0]]);
    expect((await http('GET', `${sys.url.order}/orders`, { token: other.token })).body).toEqual({
      items: [],
      page: 1,
      pageSize: 20,
      total: 0,
    });
    for (const res of [
      await http('GET', `${sys.url.order}/orders/${sns[0]}`, { token: other.token }),
      await http('POST', `${sys.url.order}/orders/${sns[0]}/cancel`, { token: other.token }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('ORDER.NOT_FOUND');
    }
    const internalRead = await http('GET', `${sys.url.order}/internal/orders/${sns[0]}`, { headers: internal });
    expect(internalRead.body).toMatchObject({ orderSn: sns[0], userId: buyer.id, status: 'UNPAID' });
    expect((await http('GET', `${sys.url.order}/internal/orders/${sns[0]}`, { token: buyer.token })).status).toBe(401);
  });

  it('cancel: closes the trade first, then UNPAID → CANCELLED with OrderCancelled, and the stock comes back', async () => {
    const buyer = await buyerWithAddress(sys.url.user);
    const s = await createSku(sys.url.inventory, { price: 100, stock: 10 });
    const { submit } = await buyNow(sys, buyer, s.id, 4);
    const res = await http('POST', `${sys.url.order}/orders/${submit.body.orderSn}/cancel`, { token: buyer.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'CANCELLED', cancelReason: 'USER' });
    expect((await locks(submit.body.orderSn)).body.items[0].status).toBe('RELEASED');
    expect(await sku(s.id)).toMatchObject({ stock: 10, lockedStock: 0 });
    const events = await orderDb.query('SELECT type FROM outbox_events WHERE message_key = $1 ORDER BY id', [submit.body.orderSn]);
    expect(events.rows.map((r) => r.type)).toEqual(['OrderCreated', 'OrderCancelled']);
    const payDb = new Client({ connectionString: sys.databaseUrl.payment });
    await payDb.connect();
    const payment = await payDb.query('SELECT status, amount FROM payments WHERE order_sn = $1', [submit.body.orderSn]);
    await payDb.end();
    expect(payment.rows).toEqual([{ status: 'CLOSED', amount: 400 }]);

    const again = await http('POST', `${sys.url.order}/orders/${submit.body.orderSn}/cancel`, { token: buyer.token });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ORDER.INVALID_TRANSITION');
  });

  it('cancel is refused while the payment side reports the order PAID; the order and its locks stay', async () => {
    const buyer = await buyerWithAddress(sys.url.user);
    const s = await createSku(sys.url.inventory, { price: 100, stock: 10 });
    const { submit } = await buyNow(sys, buyer, s.id, 1);
    const payDb = new Client({ connectionString: sys.databaseUrl.payment });
    await payDb.connect();
    await payDb.query(
      `INSERT INTO payments (order_sn, user_id, amount, status, pay_deadline, trade_no, paid_at) VALUES ($1, $2, 100, 'PAID', now(), $3, now())`,
      [submit.body.orderSn, buyer.id, `T${submit.body.orderSn}`],
    );
    await payDb.end();
    const res = await http('POST', `${sys.url.order}/orders/${submit.body.orderSn}/cancel`, { token: buyer.token });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('ORDER.INVALID_TRANSITION');
    expect((await http('GET', `${sys.url.order}/orders/${submit.body.orderSn}`, { token: buyer.token })).body.status).toBe('UNPAID');
    expect((await locks(submit.body.orderSn)).body.items[0].status).toBe('LOCKED');
  });

  it('bad input on the order endpoints is 400 VALIDATION.FAILED, never 500', async () => {
    const buyer = await buyerWithAddress(sys.url.user);
    const s = await createSku(sys.url.inventory, { price: 100 });
    const valid = { orderToken: '123456789', addressId: buyer.addressId, items: [{ skuId: s.id, quantity: 1 }], expectedTotal: 100 };
    const bodies = [
      { ...valid, orderToken: 'abc' },
      { ...valid, orderToken: 123 },
      { ...valid, items: [] },
      { ...valid, items: [{ skuId: s.id, quantity: 0 }] },
      { ...valid, items: [{ skuId: s.id, quantity: 1000 }] },
      { ...valid, items: [{ skuId: s.id, quantity: 1.5 }] },
      { ...valid, items: [{ skuId: s.id, quantity: '1' }] },
      { ...valid, items: [{ skuId: s.id, quantity: 1, price: 1 }] },
      { ...valid, items: Array.from({ length: 101 }, (_, i) => ({ skuId: i + 1, quantity: 1 })) },
      {
        ...valid,
        items: [
          { skuId: s.id, quantity: 1 },
          { skuId: s.id, quantity: 2 },
        ],
      },
      { ...valid, expectedTotal: -1 },
      { ...valid, items: [[{ skuId: s.id, quantity: 1 }]] },
      { ...valid, items: [[]] },
      { ...valid, items: [null] },
      { ...valid, extra: true },
      { orderToken: '1' },
    ];
    for (const body of bodies) {
      const res = await http('POST', `${sys.url.order}/orders`, { token: buyer.token, body });
      expect({ body, status: res.status, code: res.body.error.code }).toEqual({ body, status: 400, code: 'VALIDATION.FAILED' });
    }
    for (const q of [
      'skuId=1',
      'quantity=1',
      `skuId=${s.id}&quantity=0`,
      `skuId=${s.id}&quantity=1000`,
      'skuId=abc&quantity=1',
      `skuId=${s.id}&quantity=1.5`,
    ]) {
      const res = await http('GET', `${sys.url.order}/orders/confirm?${q}`, { token: buyer.token });
      expect({ q, status: res.status, code: res.body.error.code }).toEqual({ q, status: 400, code: 'VALIDATION.FAILED' });
    }
    for (const path of ['orders/abc', 'orders/0123', 'orders/12345678901234567890', 'orders?pageSize=101', 'orders?page=0']) {
      expect((await http('GET', `${sys.url.order}/${path}`, { token: buyer.token })).status).toBe(400);
    }
    const unknown = await http('GET', `${sys.url.order}/orders/confirm?skuId=999999&quantity=1`, { token: buyer.token });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('INVENTORY.SKU_NOT_FOUND');
    const unauth = await http('POST', `${sys.url.order}/orders`, { body: valid });
    expect(unauth.status).toBe(401);
    // a well-formed but never-issued token
    const fake = await http('POST', `${sys.url.order}/orders`, { token: buyer.token, body: valid });
    expect(fake.body.error.code).toBe('ORDER.DUPLICATE_SUBMIT');
  });
});
