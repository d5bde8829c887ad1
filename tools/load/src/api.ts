import type { InventoryComponents, OrderComponents, PaymentComponents } from '@shop/client';
import { Agent, request } from 'undici';
import { Recorder } from './stats';

// Requests and responses are typed by @shop/client's generated types (from the committed OpenAPI
// documents), so the load tool breaks at compile time when the API it drives changes. The calls
// themselves stay on undici's request: openapi-fetch costs 1.3–1.8× the CPU per call (README).
type OrderSchemas = OrderComponents['schemas'];
type AdminSku = InventoryComponents['schemas']['AdminSkuResponseDto'];
type Payment = PaymentComponents['schemas']['PaymentResponseDto'];

/**
 * The generator shares the machine with the system it measures: undici's request API over
 * keep-alive pools costs a third of the CPU per call that fetch does (see docs/benchmarks.md), and
 * what the generator does not burn, the system under test gets.
 */
const agent = new Agent({ keepAliveTimeout: 10_000 });

export interface Targets {
  user: string;
  cart: string;
  inventory: string;
  order: string;
  payment: string;
  sandbox: string;
  internalToken: string;
}

export type Confirmation = OrderSchemas['ConfirmResponseDto'];

export interface Reply<T = unknown> {
  status: number;
  body: T;
}

/**
 * The storefront's view of the system: only the public HTTP API (plus the admin SKU routes and the
 * sandbox's "buyer pays" button, as a shop operator and a buyer would use them). Every call is
 * timed and its outcome counted under a stable endpoint name.
 */
export class Storefront {
  constructor(
    readonly targets: Targets,
    readonly recorder: Recorder,
    private readonly timeoutMs = 30000,
  ) {}

  async call<T = unknown>(
    endpoint: string,
    method: string,
    url: string,
    options: { token?: string; body?: unknown; admin?: boolean } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = {};
    if (options.token) {
      headers.authorization = `Bearer ${options.token}`;
    }
    if (options.admin) {
      headers['x-internal-token'] = this.targets.internalToken;
    }
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    const started = performance.now();
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const res = await request(url, {
        dispatcher: agent,
        method: method as 'GET',
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal,
      });
      const text = await res.body.text();
      const body = parse(text);
      this.recorder.record(endpoint, started, res.statusCode, (body as { error?: { code?: string } } | undefined)?.error?.code);
      return { status: res.statusCode, body: body as T };
    } catch {
      this.recorder.record(endpoint, started, 0, signal.aborted ? 'TIMEOUT' : 'TRANSPORT');
      return { status: 0, body: undefined as T };
    }
  }

  createSku(title: string, price: number, stock: number): Promise<Reply<AdminSku>> {
    return this.call('POST /admin/skus', 'POST', `${this.targets.inventory}/admin/skus`, { admin: true, body: { title, price, stock } });
  }

  sku(id: number): Promise<Reply<AdminSku>> {
    return this.call('GET /admin/skus/:id', 'GET', `${this.targets.inventory}/admin/skus/${id}`, { admin: true });
  }

  confirmBuyNow(token: string, skuId: number, quantity: number): Promise<Reply<Confirmation>> {
    return this.call('GET /orders/confirm', 'GET', `${this.targets.order}/orders/confirm?skuId=${skuId}&quantity=${quantity}`, { token });
  }

  confirmCart(token: string): Promise<Reply<Confirmation>> {
    return this.call('GET /orders/confirm', 'GET', `${this.targets.order}/orders/confirm`, { token });
  }

  addToCart(token: string, skuId: number, quantity: number): Promise<Reply> {
    return this.call('POST /cart/items', 'POST', `${this.targets.cart}/cart/items`, { token, body: { skuId, quantity } });
  }

  submit(token: string, body: OrderSchemas['CreateOrderDto']): Promise<Reply<OrderSchemas['OrderCreatedResponseDto']>> {
    return this.call('POST /orders', 'POST', `${this.targets.order}/orders`, { token, body });
  }

  order(token: string, orderSn: string): Promise<Reply<OrderSchemas['OrderResponseDto']>> {
    return this.call('GET /orders/:orderSn', 'GET', `${this.targets.order}/orders/${orderSn}`, { token });
  }

  cancel(token: string, orderSn: string): Promise<Reply> {
    return this.call('POST /orders/:orderSn/cancel', 'POST', `${this.targets.order}/orders/${orderSn}/cancel`, { token });
  }

  /** POST /payments, then the buyer opens the cashier (which makes the trade exist at Alipay). */
  async openCashier(token: string, orderSn: string): Promise<boolean> {
    const url = `${this.targets.payment}/payments`;
    const created = await this.call<Payment>('POST /payments', 'POST', url, { token, body: { orderSn } });
    if ((created.status !== 201 && created.status !== 200) || !created.body.payUrl) {
      return false;
    }
    return (await this.call('GET cashier', 'GET', created.body.payUrl)).status === 200;
  }

  /** The buyer presses "pay" in the sandbox; `force` pays even a closed trade (a payment crossing our close). */
  async buyerPays(orderSn: string, force = false): Promise<boolean> {
    const url = `${this.targets.sandbox}/sandbox/trades/${orderSn}/pay`;
    return (await this.call('POST /sandbox/trades/:sn/pay', 'POST', url, force ? { body: { force: true } } : {})).status === 200;
  }

  async pay(token: string, orderSn: string): Promise<boolean> {
    return (await this.openCashier(token, orderSn)) && this.buyerPays(orderSn);
  }

  payment(token: string, orderSn: string): Promise<Reply<Payment>> {
    return this.call('GET /payments/:orderSn', 'GET', `${this.targets.payment}/payments/${orderSn}`, { token });
  }

  /**
   * Sandbox fault injection: each notification delivered `duplicate` extra times at once (0 clears).
   * A sandbox busy delivering a storm of copies can leave this call unanswered (status 0: timeout or
   * transport error); that is retried, with a pause, for up to `patienceMs` — a finished run must not
   * be thrown away because the fault reset at its end met a busy sandbox. A real answer other than
   * 200 is a refusal and throws at once.
   */
  async notificationCopies(duplicate: number, patienceMs = 120_000): Promise<void> {
    const url = `${this.targets.sandbox}/sandbox/faults`;
    const deadline = Date.now() + patienceMs;
    for (let pause = 250; ; pause = Math.min(pause * 2, 5_000)) {
      const res =
        duplicate > 0
          ? await this.call('POST /sandbox/faults', 'POST', url, { body: { duplicate } })
          : await this.call('DELETE /sandbox/faults', 'DELETE', url);
      if (res.status === 200) {
        return;
      }
      if (res.status !== 0 || Date.now() + pause > deadline) {
        throw new Error(`the sandbox refused the fault settings: ${res.status === 0 ? 'no answer' : res.status}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}
