// A storefront's whole path, written only against @shop/client: register, log in, add an address,
// put a SKU in the cart, confirm, submit, pay in the Alipay sandbox, and wait until the order is
// PAID. Every request, response and error code is typed from the services' OpenAPI documents.
//
//   node packages/client/examples/dist/storefront.js <skuId> [quantity]
//
// Targets: USER_SERVICE_URL … PAYMENT_SERVICE_URL (default localhost:3001–3005) and
// SANDBOX_PUBLIC_URL (default http://127.0.0.1:3100). `npm start`'s seed has SKUs 1–6.
import { createShopClient, errorCodeOf, type ShopClientOptions } from '@shop/client';
import { randomBytes } from 'node:crypto';

export interface StorefrontRun {
  urls: ShopClientOptions['urls'];
  /** The Alipay sandbox, where the buyer presses Pay. */
  sandboxUrl: string;
  skuId: number;
  quantity?: number;
  /** Any fetch (default: the global one). */
  fetch?: typeof globalThis.fetch;
  log?: (line: string) => void;
}

/** Fails with the response's error code and message (typed per operation by the client). */
function fail(what: string, status: number, error: unknown): never {
  const body = error as { error?: { code?: string; message?: string } };
  throw new Error(`${what}: ${status} ${body.error?.code ?? ''} ${body.error?.message ?? JSON.stringify(error)}`);
}

/** The whole flow for one new buyer, from registration to a PAID order. */
export async function runStorefront(run: StorefrontRun): Promise<{ orderSn: string; status: string }> {
  const { urls, sandboxUrl, skuId, quantity = 1, fetch = globalThis.fetch } = run;
  const step = (what: string, detail: unknown) => (run.log ?? console.log)(`${what.padEnd(10)} ${JSON.stringify(detail)}`);
  const guest = createShopClient({ urls, fetch });
  const username = `shopper_${randomBytes(4).toString('hex')}`;
  const password = 'correct-horse-battery';

  const registered = await guest.user.POST('/auth/register', { body: { username, password } });
  if (!registered.data) {
    fail('register', registered.response.status, registered.error);
  }
  step('register', registered.data);

  const login = await guest.user.POST('/auth/login', { body: { username, password } });
  if (!login.data) {
    // A typed code: 'AUTH.INVALID_CREDENTIALS' | 'AUTH.TOO_MANY_ATTEMPTS' | the pipeline's.
    const code = errorCodeOf(login.error);
    throw new Error(`login refused: ${code}`);
  }
  step('login', { user: login.data.user, expiresAt: login.data.expiresAt });
  const shop = createShopClient({ urls, token: login.data.token, fetch });

  const address = await shop.user.POST('/users/me/addresses', {
    body: {
      receiver: 'Li Lei',
      phone: '+86 138 0000 0000',
      region: 'Zhejiang Hangzhou Xihu',
      detail: 'No. 1 Wensan Road',
      isDefault: true,
    },
  });
  if (!address.data) {
    fail('address', address.response.status, address.error);
  }
  step('address', { id: address.data.id });

  const sku = await shop.inventory.GET('/skus/{id}', { params: { path: { id: skuId } } });
  if (!sku.data) {
    fail(`SKU ${skuId}`, sku.response.status, sku.error);
  }
  step('sku', sku.data);

  const cart = await shop.cart.POST('/cart/items', { body: { skuId, quantity } });
  if (!cart.data) {
    fail('add to cart', cart.response.status, cart.error);
  }
  step('cart', { items: cart.data.items.map((i) => ({ skuId: i.skuId, quantity: i.quantity })), checkedTotal: cart.data.checkedTotal });

  const confirm = await shop.order.GET('/orders/confirm', {});
  if (!confirm.data) {
    fail('confirm', confirm.response.status, confirm.error);
  }
  step('confirm', { totalAmount: confirm.data.totalAmount, items: confirm.data.items.length });

  const submit = await shop.order.POST('/orders', {
    body: {
      orderToken: confirm.data.orderToken,
      addressId: address.data.id,
      items: confirm.data.items.map((i) => ({ skuId: i.skuId, quantity: i.quantity })),
      expectedTotal: confirm.data.totalAmount,
    },
  });
  if (!submit.data) {
    if (errorCodeOf(submit.error) === 'ORDER.PRICE_CHANGED') {
      throw new Error('prices changed since confirm: confirm again');
    }
    fail('submit', submit.response.status, submit.error);
  }
  const { orderSn } = submit.data;
  step('submit', submit.data);

  const payment = await shop.payment.POST('/payments', { body: { orderSn } });
  if (!payment.data?.payUrl) {
    fail('pay', payment.response.status, payment.error);
  }
  step('payment', { status: payment.data.status, amount: payment.data.amount });

  // The buyer's browser: open Alipay's cashier (which creates the trade), press Pay.
  const cashier = await fetch(payment.data.payUrl);
  const paid = await fetch(`${sandboxUrl}/sandbox/trades/${orderSn}/pay`, { method: 'POST' });
  if (cashier.status !== 200 || paid.status !== 200) {
    throw new Error(`sandbox: cashier ${cashier.status}, pay ${paid.status} ${await paid.text()}`);
  }
  step('alipay', 'paid in the sandbox');

  // Alipay notifies the payment service; the order becomes PAID through PaymentSucceeded.
  for (const deadline = Date.now() + 30000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const order = await shop.order.GET('/orders/{orderSn}', { params: { path: { orderSn } } });
    if (!order.data) {
      fail('order', order.response.status, order.error);
    }
    if (order.data.status === 'PAID') {
      step('order', { orderSn, status: order.data.status, paidAt: order.data.paidAt, totalAmount: order.data.totalAmount });
      return { orderSn, status: order.data.status };
    }
  }
  throw new Error(`order ${orderSn} was not PAID within 30 s`);
}

if (require.main === module) {
  const env = process.env;
  runStorefront({
    urls: {
      user: env.USER_SERVICE_URL ?? 'http://127.0.0.1:3001',
      cart: env.CART_SERVICE_URL ?? 'http://127.0.0.1:3002',
      inventory: env.INVENTORY_SERVICE_URL ?? 'http://127.0.0.1:3003',
      order: env.ORDER_SERVICE_URL ?? 'http://127.0.0.1:3004',
      payment: env.PAYMENT_SERVICE_URL ?? 'http://127.0.0.1:3005',
    },
    sandboxUrl: env.SANDBOX_PUBLIC_URL ?? 'http://127.0.0.1:3100',
    skuId: Number(process.argv[2] ?? '1'),
    quantity: Number(process.argv[3] ?? '1'),
  }).then(
    () => process.exit(0),
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
