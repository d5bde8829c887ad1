import { http } from '@shop/shared/testing';
import { buyerWithAddress, createSku } from '../support/system';
import { metricValue, ProcessSystem, startProcessSystem } from './support/processes';
import {
  Buyer,
  consistent,
  Databases,
  expectStatus,
  locksAre,
  orderIs,
  payInSandbox,
  produce,
  startPayment,
  waitFor,
} from './support/shop';

/** SPEC §4–§8 end to end over real processes: the storefront's path from cart to a paid order. */
describe('happy path: cart → order → Alipay sandbox → PAID, stock deducted once, cart cleaned by OrderCreated', () => {
  let sys: ProcessSystem;
  let dbs: Databases;
  beforeAll(async () => {
    sys = await startProcessSystem({ env: { STOCK_LOCK_SWEEP_INTERVAL_MS: '3600000', PAYMENT_RECONCILE_INTERVAL_MS: '3600000' } });
    dbs = await Databases.connect(sys);
  }, 90000);
  afterEach(() => consistent(sys), 60000);
  afterAll(async () => {
    await dbs?.close();
    await sys?.stop();
  }, 60000);

  const cart = async (buyer: Buyer): Promise<Array<{ skuId: number; quantity: number; checked: boolean }>> => {
    const res = await http('GET', `${sys.url.cart}/cart`, { token: buyer.token });
    expectStatus(res, 200, 'GET /cart');
    return res.body.items;
  };
  const addToCart = async (buyer: Buyer, skuId: number, quantity: number) =>
    expectStatus(await http('POST', `${sys.url.cart}/cart/items`, { token: buyer.token, body: { skuId, quantity } }), 200, 'add to cart');
  const cartAppliedOrderCreated = async () =>
    metricValue(await sys.instances.cart[0].metrics(), 'consumer_events_total', {
      consumer: 'cart.ordered-items',
      type: 'OrderCreated',
      outcome: 'applied',
    });

  /** Confirm from the cart (its checked items) and submit exactly what the confirm page showed. */
  const orderFromCart = async (
    buyer: Buyer,
  ): Promise<{ orderSn: string; items: Array<{ skuId: number; quantity: number }>; totalAmount: number }> => {
    const confirm = await http('GET', `${sys.url.order}/orders/confirm`, { token: buyer.token });
    expectStatus(confirm, 200, 'confirm from cart');
    const items = confirm.body.items.map((i: { skuId: number; quantity: number }) => ({ skuId: i.skuId, quantity: i.quantity }));
    const submit = await http('POST', `${sys.url.order}/orders`, {
      token: buyer.token,
      body: { orderToken: confirm.body.orderToken, addressId: buyer.addressId, items, expectedTotal: confirm.body.totalAmount },
    });
    expectStatus(submit, 201, 'submit');
    expect(submit.body).toMatchObject({ status: 'UNPAID', totalAmount: confirm.body.totalAmount });
    return { orderSn: submit.body.orderSn, items, totalAmount: confirm.body.totalAmount };
  };

  it('the buyer orders the checked item from the cart and pays: PAID, locks DEDUCTED once, one StockDeducted, the unchecked item stays', async () => {
    const buyer = await buyerWithAddress(sys.url.user);
    const ordered = await createSku(sys.url.inventory, { price: 1250, stock: 10 });
    const kept = await createSku(sys.url.inventory, { price: 300, stock: 10 });
    await addToCart(buyer, ordered.id, 2);
    await addToCart(buyer, kept.id, 1);
    expectStatus(
      await http('PATCH', `${sys.url.cart}/cart/items/${kept.id}`, { token: buyer.token, body: { checked: false } }),
      200,
      'uncheck',
    );

    const { orderSn, items, totalAmount } = await orderFromCart(buyer);
    expect(items).toEqual([{ skuId: ordered.id, quantity: 2 }]);
    expect(totalAmount).toBe(2500);
    expect(await dbs.sku(ordered.id)).toEqual({ stock: 10, lockedStock: 2 });

    // OrderCreated → the cart drops the ordered SKU and keeps the unchecked one.
    await waitFor('the ordered SKU leaves the cart', async () => !(await cart(buyer)).some((i) => i.skuId === ordered.id));
    expect((await cart(buyer)).map((i) => ({ skuId: i.skuId, quantity: i.quantity, checked: i.checked }))).toEqual([
      { skuId: kept.id, quantity: 1, checked: false },
    ]);

    const payment = await startPayment(sys.url.payment, buyer, orderSn);
    expect(payment.amount).toBe(2500);
    await payInSandbox(sys, orderSn);

    await orderIs(dbs, orderSn, 'PAID', 30000);
    await locksAre(dbs, orderSn, 'DEDUCTED', 30000);
    await waitFor('StockDeducted written', async () => (await dbs.outboxTypes('inventory', orderSn)).includes('StockDeducted'));
    expect(await dbs.sku(ordered.id)).toEqual({ stock: 8, lockedStock: 0 });
    expect(await dbs.sku(kept.id)).toEqual({ stock: 10, lockedStock: 0 });
    expect(await dbs.outboxTypes('order', orderSn)).toEqual(['OrderCreated', 'OrderPaid']);
    expect(await dbs.outboxTypes('payment', orderSn)).toEqual(['PaymentSucceeded']);
    expect(await dbs.outboxTypes('inventory', orderSn)).toEqual(['StockDeducted']);
    expect(await dbs.paymentStatus(orderSn)).toBe('PAID');
    const view = await http('GET', `${sys.url.order}/orders/${orderSn}`, { token: buyer.token });
    expect(view.body).toMatchObject({ orderSn, status: 'PAID', totalAmount: 2500, paidAt: expect.any(String), cancelReason: null });
  }, 60000);

  it('a redelivered OrderCreated does not remove the SKU the buyer put back into the cart', async () => {
    const buyer = await buyerWithAddress(sys.url.user);
    const s = await createSku(sys.url.inventory, { price: 700, stock: 10 });
    const appliedBefore = await cartAppliedOrderCreated();
    await addToCart(buyer, s.id, 3);
    const { orderSn } = await orderFromCart(buyer);
    await waitFor('cart applied the OrderCreated', async () => (await cartAppliedOrderCreated()) === appliedBefore + 1);
    expect(await cart(buyer)).toEqual([]);

    await addToCart(buyer, s.id, 1); // the buyer wants one more, after the order
    const [row] = await dbs.query(
      'order',
      "SELECT event_id, envelope FROM outbox_events WHERE message_key = $1 AND type = 'OrderCreated'",
      [orderSn],
    );
    const labels = { consumer: 'cart.ordered-items', type: 'OrderCreated', outcome: 'duplicate' };
    const duplicatesBefore = metricValue(await sys.instances.cart[0].metrics(), 'consumer_events_total', labels);
    await produce(sys.topicPrefix, [
      { topic: 'order.events', key: orderSn, envelope: row.envelope, eventId: row.event_id, type: 'OrderCreated' },
    ]);
    await waitFor(
      'the copy counted as a duplicate',
      async () => metricValue(await sys.instances.cart[0].metrics(), 'consumer_events_total', labels) === duplicatesBefore + 1,
    );
    expect((await cart(buyer)).map((i) => ({ skuId: i.skuId, quantity: i.quantity }))).toEqual([{ skuId: s.id, quantity: 1 }]);
    expect(await cartAppliedOrderCreated()).toBe(appliedBefore + 1);
  }, 60000);
});
