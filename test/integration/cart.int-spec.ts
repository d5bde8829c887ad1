import { http } from '@shop/shared/testing';
import { createSku, registerAndLogin, startSystem, TestSystem, TestUser } from '../support/system';

describe('cart (Redis hashes + Lua, prices from inventory)', () => {
  let sys: TestSystem;
  let alice: TestUser;
  beforeAll(async () => {
    sys = await startSystem(['user', 'inventory', 'cart']);
    alice = await registerAndLogin(sys.url.user);
  });
  afterAll(() => sys.stop());

  const add = (user: TestUser, skuId: number, quantity: number) =>
    http('POST', `${sys.url.cart}/cart/items`, { token: user.token, body: { skuId, quantity } });

  it('100 concurrent adds of one SKU end with the exact summed quantity', async () => {
    const user = await registerAndLogin(sys.url.user);
    const sku = await createSku(sys.url.inventory, { price: 250 });
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => add(user, sku.id, (i % 3) + 1)));
    expect(results.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    const expected = Array.from({ length: 100 }, (_, i) => (i % 3) + 1).reduce((a, b) => a + b, 0);
    const cart = await http('GET', `${sys.url.cart}/cart`, { token: user.token });
    expect(cart.body.items).toEqual([
      { skuId: sku.id, title: sku.title, unitPrice: 250, quantity: expected, checked: true, subtotal: 250 * expected, available: 100 },
    ]);
    expect(cart.body.checkedTotal).toBe(250 * expected);
  });

  it('the 999 quantity limit holds under concurrent adds', async () => {
    const user = await registerAndLogin(sys.url.user);
    const sku = await createSku(sys.url.inventory, {});
    const results = await Promise.all(Array.from({ length: 10 }, () => add(user, sku.id, 200)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(4);
    const refused = results.filter((r) => r.status === 400);
    expect(refused).toHaveLength(6);
    expect(refused.every((r) => r.body.error.code === 'CART.QUANTITY_LIMIT')).toBe(true);
    const cart = await http('GET', `${sys.url.cart}/cart`, { token: user.token });
    expect(cart.body.items[0].quantity).toBe(800);
  });

  it('the 100 distinct items limit holds under concurrent adds', async () => {
    const user = await registerAndLogin(sys.url.user);
    const skus = await Promise.all(Array.from({ length: 110 }, () => createSku(sys.url.inventory, { price: 1 })));
    const results = await Promise.all(skus.map((s) => add(user, s.id, 1)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(100);
    expect(results.filter((r) => r.status === 400 && r.body.error.code === 'CART.TOO_MANY_ITEMS')).toHaveLength(10);
    const cart = await http('GET', `${sys.url.cart}/cart`, { token: user.token });
    expect(cart.body.items).toHaveLength(100);
    expect(cart.body.checkedTotal).toBe(100);
  });

  it('update, uncheck and delete answer the whole cart; prices are the current ones', async () => {
    const a = await createSku(sys.url.inventory, { price: 1000 });
    const b = await createSku(sys.url.inventory, { price: 300 });
    await add(alice, a.id, 2);
    const afterB = await add(alice, b.id, 1);
    expect(afterB.body.checkedTotal).toBe(2300);

    const unchecked = await http('PATCH', `${sys.url.cart}/cart/items/${a.id}`, { token: alice.token, body: { checked: false } });
    expect(unchecked.status).toBe(200);
    expect(unchecked.body.checkedTotal).toBe(300);

    const more = await http('PATCH', `${sys.url.cart}/cart/items/${b.id}`, { token: alice.token, body: { quantity: 5 } });
    expect(more.body.checkedTotal).toBe(1500);

    await http('PATCH', `${sys.url.inventory}/admin/skus/${b.id}`, {
      headers: { 'x-internal-token': sys.env.INTERNAL_TOKEN! },
      body: { price: 400 },
    });
    expect((await http('GET', `${sys.url.cart}/cart`, { token: alice.token })).body.checkedTotal).toBe(2000);

    const removed = await http('DELETE', `${sys.url.cart}/cart/items/${b.id}`, { token: alice.token });
    expect(removed.status).toBe(200);
    expect(removed.body.items.map((i: { skuId: number }) => i.skuId)).toEqual([a.id]);

    for (const res of [
      await http('DELETE', `${sys.url.cart}/cart/items/${b.id}`, { token: alice.token }),
      await http('PATCH', `${sys.url.cart}/cart/items/${b.id}`, { token: alice.token, body: { quantity: 1 } }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('CART.ITEM_NOT_FOUND');
    }
  });

  it('an unknown SKU is 404 INVENTORY.SKU_NOT_FOUND and nothing is stored', async () => {
    const user = await registerAndLogin(sys.url.user);
    const res = await add(user, 999999, 1);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('INVENTORY.SKU_NOT_FOUND');
    expect((await http('GET', `${sys.url.cart}/cart`, { token: user.token })).body).toEqual({ items: [], checkedTotal: 0 });
  });

  it("one user never sees or changes another's cart", async () => {
    const bob = await registerAndLogin(sys.url.user);
    const sku = await createSku(sys.url.inventory, {});
    await add(alice, sku.id, 1);
    expect((await http('GET', `${sys.url.cart}/cart`, { token: bob.token })).body.items).toEqual([]);
    const res = await http('DELETE', `${sys.url.cart}/cart/items/${sku.id}`, { token: bob.token });
    expect(res.status).toBe(404);
    const aliceCart = await http('GET', `${sys.url.cart}/cart`, { token: alice.token });
    expect(aliceCart.body.items.some((i: { skuId: number }) => i.skuId === sku.id)).toBe(true);
  });

  it('the internal checked-items read returns only checked items and needs the internal token', async () => {
    const user = await registerAndLogin(sys.url.user);
    const a = await createSku(sys.url.inventory, {});
    const b = await createSku(sys.url.inventory, {});
    await add(user, a.id, 3);
    await add(user, b.id, 1);
    await http('PATCH', `${sys.url.cart}/cart/items/${b.id}`, { token: user.token, body: { checked: false } });
    const res = await http('GET', `${sys.url.cart}/internal/carts/${user.id}/checked-items`, {
      headers: { 'x-internal-token': sys.env.INTERNAL_TOKEN! },
    });
    expect(res.body).toEqual({ items: [{ skuId: a.id, quantity: 3 }] });
    expect((await http('GET', `${sys.url.cart}/internal/carts/${user.id}/checked-items`, { token: user.token })).status).toBe(401);
  });
});
