import { Storefront } from './api';
import { Load, rng, runAll } from './runner';
import { PlacedOrder, ScenarioRun } from './scenarios';

export interface Settlement {
  paid: number;
  cancelled: number;
  /** Orders that did not reach PAID or CANCELLED before the deadline. */
  unsettled: string[];
  settleSeconds: number;
  /** Per SKU, after settling: what the shelf says vs what the orders say. */
  skus: Array<{ id: number; initialStock: number; granted: number; paidUnits: number; stock: number; lockedStock: number }>;
}

/**
 * Pays a share of the placed orders through the sandbox (as their buyers would) and cancels the
 * rest, then waits until every order is PAID or CANCELLED and every SKU has no stock locked —
 * i.e. until the events have flowed (deducts, releases). Polling with a deadline.
 */
export async function settle(
  shop: Storefront,
  run: ScenarioRun,
  payShare: number,
  seed: number,
  load: Load,
  timeoutMs: number,
): Promise<Settlement> {
  const started = Date.now();
  const random = rng(seed ^ 0x5eed);
  const toPay = new Set(run.orders.filter(() => random() < payShare).map((o) => o.orderSn));
  await runAll(run.orders.length, load, async (i) => {
    const o = run.orders[i];
    if (toPay.has(o.orderSn)) {
      await shop.pay(o.buyer.token, o.orderSn);
    } else {
      await shop.cancel(o.buyer.token, o.orderSn);
    }
  });
  const deadline = started + timeoutMs;
  const final = await finalStatuses(shop, run.orders, load, deadline);
  const paidOrders = run.orders.filter((o) => final.get(o.orderSn) === 'PAID');
  const skus = await waitForShelf(shop, run, paidOrders, deadline);
  return {
    paid: paidOrders.length,
    cancelled: run.orders.filter((o) => final.get(o.orderSn) === 'CANCELLED').length,
    unsettled: run.orders.filter((o) => !['PAID', 'CANCELLED'].includes(final.get(o.orderSn) ?? '')).map((o) => o.orderSn),
    settleSeconds: (Date.now() - started) / 1000,
    skus,
  };
}

async function finalStatuses(shop: Storefront, orders: PlacedOrder[], load: Load, deadline: number): Promise<Map<string, string>> {
  const status = new Map<string, string>();
  let pending = orders;
  while (pending.length > 0 && Date.now() < deadline) {
    await runAll(pending.length, load, async (i) => {
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
