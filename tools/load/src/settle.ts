import { Storefront } from './api';
import { Load, rng, runAll } from './runner';
import { PlacedOrder, ScenarioRun } from './scenarios';

/** What each placed order's buyer does next (chosen by the seeded RNG). */
export interface Actions {
  payShare: number;
  /** Open the cashier, cancel, then pay anyway (forced): must end CANCELLED with the money REFUNDED. */
  lateShare: number;
  /** Open the cashier and walk away: the timeout job cancels it (needs a short ORDER_PAY_TIMEOUT_SECONDS). */
  timeoutShare: number;
  /** Notification copies the sandbox sends at once for each delivery (notify-storm). */
  notifyCopies: number;
}

export interface Settlement {
  paid: number;
  cancelled: number;
  /** Late payments (paid after the cancel) that ended REFUNDED. */
  refunded: number;
  latePayments: number;
  /** Orders that did not reach PAID or CANCELLED before the deadline. */
  unsettled: string[];
  settleSeconds: number;
  /** Per SKU, after settling: what the shelf says vs what the orders say. */
  skus: Array<{ id: number; initialStock: number; granted: number; paidUnits: number; stock: number; lockedStock: number }>;
}

/**
 * Each placed order's buyer acts — pays through the sandbox, cancels, pays after cancelling (a late
 * payment), or walks away (the timeout job) — then we wait until every order is PAID or CANCELLED,
 * every late payment REFUNDED, and every SKU's shelf matches the paid units with nothing locked:
 * i.e. until the events have flowed. Polling with a deadline.
 */
export async function settle(
  shop: Storefront,
  run: ScenarioRun,
  actions: Actions,
  seed: number,
  load: Load,
  timeoutMs: number,
): Promise<Settlement> {
  const started = Date.now();
  const plan = planActions(run.orders, actions, seed);
  if (actions.notifyCopies > 0) {
    await shop.notificationCopies(actions.notifyCopies);
  }
  try {
    await runAll(run.orders.length, load, (i) => act(shop, run.orders[i], plan.get(run.orders[i].orderSn)!));
  } finally {
    if (actions.notifyCopies > 0) {
      await shop.notificationCopies(0);
    }
  }
  // The wait for the events to flow starts once every buyer has acted: acting takes as long as
  // the load model says (an open loop of N orders takes N / rate seconds), and a deadline counted
  // from before it would run out while buyers were still paying (a soak's 12,000 orders at 20/s).
  const deadline = Date.now() + timeoutMs;
  const final = await finalStatuses(shop, run.orders, deadline);
  const late = run.orders.filter((o) => plan.get(o.orderSn) === 'late');
  const refunded = await refundedCount(shop, late, deadline);
  const paidOrders = run.orders.filter((o) => final.get(o.orderSn) === 'PAID');
  const skus = await waitForShelf(shop, run, paidOrders, deadline);
  return {
    paid: paidOrders.length,
    cancelled: run.orders.filter((o) => final.get(o.orderSn) === 'CANCELLED').length,
    refunded,
    latePayments: late.length,
    unsettled: run.orders.filter((o) => !['PAID', 'CANCELLED'].includes(final.get(o.orderSn) ?? '')).map((o) => o.orderSn),
    settleSeconds: (Date.now() - started) / 1000,
    skus,
  };
}

type Action = 'pay' | 'cancel' | 'late' | 'timeout';

function planActions(orders: PlacedOrder[], a: Actions, seed: number): Map<string, Action> {
  const random = rng(seed ^ 0x5eed);
  return new Map(
    orders.map((o) => {
      const x = random();
      const action: Action =
        x < a.payShare
          ? 'pay'
          : x < a.payShare + a.lateShare
            ? 'late'
            : x < a.payShare + a.lateShare + a.timeoutShare
              ? 'timeout'
              : 'cancel';
      return [o.orderSn, action];
    }),
  );
}

async function act(shop: Storefront, o: PlacedOrder, action: Action): Promise<void> {
  switch (action) {
    case 'pay':
      await shop.pay(o.buyer.token, o.orderSn);
      return;
    case 'cancel':
      await shop.cancel(o.buyer.token, o.orderSn);
      return;
    case 'late':
      await shop.openCashier(o.buyer.token, o.orderSn);
      await shop.cancel(o.buyer.token, o.orderSn);
      await shop.buyerPays(o.orderSn, true);
      return;
    case 'timeout':
      await shop.openCashier(o.buyer.token, o.orderSn);
  }
}

/**
 * Reading statuses is observation, not offered load: it runs as a closed loop of its own. At an
 * open loop's rate one pass over a soak's 12,000 orders took 10 minutes (20/s), longer than the
 * whole deadline, and the refunds were then never looked at.
 */
const POLL: Load = { kind: 'closed', concurrency: 16 };

/** Every wait looks at least once, however late: a verdict is always based on a real reading. */
async function refundedCount(shop: Storefront, late: PlacedOrder[], deadline: number): Promise<number> {
  const refunded = new Set<string>();
  for (let first = true; refunded.size < late.length && (first || Date.now() < deadline); first = false) {
    const pending = late.filter((o) => !refunded.has(o.orderSn));
    await runAll(pending.length, POLL, async (i) => {
      if ((await shop.payment(pending[i].buyer.token, pending[i].orderSn)).body?.status === 'REFUNDED') {
        refunded.add(pending[i].orderSn);
      }
    });
    if (refunded.size < late.length) {
      await new Promise((r) => setTimeout(r, 250)); // poll interval, bounded by the deadline
    }
  }
  return refunded.size;
}

async function finalStatuses(shop: Storefront, orders: PlacedOrder[], deadline: number): Promise<Map<string, string>> {
  const status = new Map<string, string>();
  let pending = orders;
  for (let first = true; pending.length > 0 && (first || Date.now() < deadline); first = false) {
    await runAll(pending.length, POLL, async (i) => {
      const o = pending[i];
      const res = await shop.order(o.buyer.token, o.orderSn);
      if (res.status === 200) {
        status.set(o.orderSn, res.body.status);
      }
    });
    pending = pending.filter((o) => !['PAID', 'CANCELLED'].includes(status.get(o.orderSn) ?? ''));
    if (pending.length > 0) {
      await new Promise((r) => setTimeout(r, 250)); // poll interval, bounded by the deadline
    }
  }
  return status;
}

async function waitForShelf(shop: Storefront, run: ScenarioRun, paid: PlacedOrder[], deadline: number): Promise<Settlement['skus']> {
  const units = (orders: PlacedOrder[], skuId: number): number =>
    orders.reduce((n, o) => n + o.lines.filter((l) => l.skuId === skuId).reduce((m, l) => m + l.quantity, 0), 0);
  for (;;) {
    const rows = await Promise.all(
      run.skus.map(async (s) => {
        const now = (await shop.sku(s.id)).body;
        return {
          id: s.id,
          initialStock: s.stock,
          granted: units(run.orders, s.id),
          paidUnits: units(paid, s.id),
          stock: now.stock,
          lockedStock: now.lockedStock,
        };
      }),
    );
    const settled = rows.every((r) => r.lockedStock === 0 && r.stock === r.initialStock - r.paidUnits);
    if (settled || Date.now() >= deadline) {
      return rows;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
