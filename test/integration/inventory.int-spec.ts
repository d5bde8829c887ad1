import { http } from '@shop/shared/testing';
import { Client } from 'pg';
import { createSku, INTERNAL_TOKEN, startSystem, TestSystem } from '../support/system';

const admin = { 'x-internal-token': INTERNAL_TOKEN };

describe('catalog and stock administration (inventory service)', () => {
  let sys: TestSystem;
  let db: Client;
  beforeAll(async () => {
    sys = await startSystem(['inventory']);
    db = new Client({ connectionString: sys.databaseUrl.inventory });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await sys.stop();
  });

  it('creates, reads and updates SKUs; public reads hide raw stock', async () => {
    const sku = await createSku(sys.url.inventory, { title: 'Keyboard', price: 8880, stock: 10, spuId: 7 });
    expect(sku).toMatchObject({ title: 'Keyboard', price: 8880, stock: 10, lockedStock: 0, available: 10, spuId: 7 });
    const pub = await http('GET', `${sys.url.inventory}/skus/${sku.id}`);
    expect(pub.body).toEqual({ id: sku.id, spuId: 7, title: 'Keyboard', price: 8880, available: 10 });
    const patched = await http('PATCH', `${sys.url.inventory}/admin/skus/${sku.id}`, {
      headers: admin,
      body: { price: 9990, stockDelta: 5 },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ price: 9990, stock: 15, available: 15 });
    expect((await http('GET', `${sys.url.inventory}/admin/skus/${sku.id}`, { headers: admin })).body).toEqual(patched.body);
  });

  it('GET /skus?ids= returns known ids, leaves unknown ones out, and validates the list', async () => {
    const a = await createSku(sys.url.inventory, {});
    const b = await createSku(sys.url.inventory, {});
    const res = await http('GET', `${sys.url.inventory}/skus?ids=${b.id},999999,${a.id},${a.id}`);
    expect(res.status).toBe(200);
    expect(res.body.map((s: { id: number }) => s.id)).toEqual([a.id, b.id]);
    for (const q of ['ids=a,b', 'ids=1,,2', 'ids=-1', 'ids=0', `ids=${Array.from({ length: 101 }, (_, i) => i + 1).join(',')}`, 'foo=1']) {
      const bad = await http('GET', `${sys.url.inventory}/skus?${q}`);
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('VALIDATION.FAILED');
    }
    expect((await http('GET', `${sys.url.inventory}/skus/999999`)).body.error.code).toBe('INVENTORY.SKU_NOT_FOUND');
  });

  it('a stockDelta that would take stock below lockedStock is 409 and changes nothing', async () => {
    const sku = await createSku(sys.url.inventory, { stock: 10 });
    // Stock locking is the next feature; here the locked units are set directly.
    await db.query('UPDATE skus SET locked_stock = 8 WHERE id = $1', [sku.id]);
    const res = await http('PATCH', `${sys.url.inventory}/admin/skus/${sku.id}`, { headers: admin, body: { stockDelta: -3, price: 1 } });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('INVENTORY.STOCK_BELOW_LOCKED');
    const after = await http('GET', `${sys.url.inventory}/admin/skus/${sku.id}`, { headers: admin });
    expect(after.body).toMatchObject({ stock: 10, lockedStock: 8, available: 2, price: sku.price });
    expect(
      (await http('PATCH', `${sys.url.inventory}/admin/skus/${sku.id}`, { headers: admin, body: { stockDelta: -2 } })).body,
    ).toMatchObject({
      stock: 8,
      available: 0,
    });
  });

  it('30 concurrent decrements of 5 on a stock of 100 apply exactly 20 times and never go below zero', async () => {
    const sku = await createSku(sys.url.inventory, { stock: 100 });
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        http('PATCH', `${sys.url.inventory}/admin/skus/${sku.id}`, { headers: admin, body: { stockDelta: -5 } }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(20);
    expect(results.filter((r) => r.status === 409)).toHaveLength(10);
    expect((await http('GET', `${sys.url.inventory}/admin/skus/${sku.id}`, { headers: admin })).body.stock).toBe(0);
  });

  it('refuses stock above the limit and bad admin input, and the database refuses what the API would', async () => {
    const sku = await createSku(sys.url.inventory, { stock: 999_999_999 });
    const over = await http('PATCH', `${sys.url.inventory}/admin/skus/${sku.id}`, { headers: admin, body: { stockDelta: 2 } });
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('INVENTORY.STOCK_LIMIT');
    for (const body of [
      { title: 'x', price: -1, stock: 1 },
      { title: 'x', price: 1.5, stock: 1 },
      { title: '', price: 1, stock: 1 },
      { title: 'x', price: 1, stock: 1e12 },
      { title: 'x', price: '1', stock: 1 },
      { title: 'x', price: 0, stock: 1 }, // Alipay cannot collect less than 0.01: no free SKUs
    ]) {
      const res = await http('POST', `${sys.url.inventory}/admin/skus`, { headers: admin, body });
      expect({ body, status: res.status, code: res.body?.error?.code }).toEqual({ body, status: 400, code: 'VALIDATION.FAILED' });
    }
    expect((await createSku(sys.url.inventory, { price: 1 })).price).toBe(1); // the minimum, one cent
    for (const body of [{}, { stockDelta: 0 }, { stockDelta: 0.5 }, { price: null }, { price: 0 }]) {
      const res = await http('PATCH', `${sys.url.inventory}/admin/skus/${sku.id}`, { headers: admin, body });
      expect({ body, status: res.status, code: res.body?.error?.code }).toEqual({ body, status: 400, code: 'VALIDATION.FAILED' });
    }
    await expect(db.query('UPDATE skus SET locked_stock = stock + 1 WHERE id = $1', [sku.id])).rejects.toThrow(/skus_stock_bounds/);
    await expect(db.query('UPDATE skus SET price = 0 WHERE id = $1', [sku.id])).rejects.toThrow(/skus_price_positive/);
    await expect(db.query("INSERT INTO skus (title, price, stock) VALUES ('free', 0, 1)")).rejects.toThrow(/skus_price_positive/);
  });

  it('admin routes need the internal token', async () => {
    for (const headers of [{} as Record<string, string>, { 'x-internal-token': 'nope-nope-nope-nope' }]) {
      const res = await http('POST', `${sys.url.inventory}/admin/skus`, { headers, body: { title: 'x', price: 1, stock: 1 } });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('AUTH.UNAUTHENTICATED');
    }
  });
});
