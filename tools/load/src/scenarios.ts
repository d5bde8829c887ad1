import { Buyer } from './users';
import { Storefront } from './api';
import { Load, rng, runAll } from './runner';

export const SCENARIOS = ['oversell', 'flash-sale', 'multi-sku', 'duplicate-submit', 'notify-storm', 'mixed'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface ScenarioOptions {
  users: number;
  /** Order attempts in all (default: one per user); with `durationMs`, the most there may be. */
  count: number;
  /** Stop starting new attempts after this long (a timed run instead of a counted one). */
  durationMs?: number;
  stock: number;
  skus: number;
  load: Load;
  seed: number;
  /** Copies of each submit sent at once (duplicate-submit). */
  copies: number;
}

export interface PlacedOrder {
  buyer: Buyer;
  orderSn: string;
  lines: Array<{ skuId: number; quantity: number }>;
}

export interface ScenarioRun {
  skus: Array<{ id: number; stock: number }>;
  orders: PlacedOrder[];
  /** Per token: how many of its submits were accepted (duplicate-submit must be exactly 1 each). */
  acceptedPerToken: number[];
  /** Attempts actually made (a timed run stops before `count`). */
  attempted: number;
}

type Basket = Array<{ skuId: number; quantity: number }>;

/**
 * The race scenarios: many buyers confirm and submit at once against little stock. What each
 * measures is in its basket: one hot SKU (oversell: small stock; flash-sale and notify-storm: stock
 * for everyone), random baskets over overlapping SKUs (multi-sku), every token submitted several
 * times at once (duplicate-submit), or all of it together (mixed: baskets + duplicate submits; its
 * settlement adds cancels, late payments and timeouts — see settle.ts).
 */
export async function runScenario(shop: Storefront, name: ScenarioName, buyers: Buyer[], o: ScenarioOptions): Promise<ScenarioRun> {
  const baskets = name === 'multi-sku' || name === 'mixed';
  const skuCount = baskets ? o.skus : 1;
  const skus = await createSkus(shop, skuCount, o.stock, o.seed);
  // Attempt i's basket depends on the seed and i only, so a run repeats whatever the interleaving.
  const basketFor = (i: number): Basket =>
    baskets ? randomBasket(skus, rng(o.seed * 1_000_003 + i)) : [{ skuId: skus[0].id, quantity: 1 }];
  const run: ScenarioRun = { skus, orders: [], acceptedPerToken: [], attempted: 0 };
  const deadline = o.durationMs === undefined ? Infinity : performance.now() + o.durationMs;
  const overdue = (): boolean => performance.now() >= deadline;
  await runAll(
    o.count,
    o.load,
    async (i) => {
      run.attempted++;
      const buyer = buyers[i % buyers.length];
      const copies = name === 'duplicate-submit' || name === 'mixed' ? o.copies : 1;
      const placed = await attempt(shop, buyer, basketFor(i), copies, baskets);
      if (placed) {
        run.acceptedPerToken.push(placed.accepted);
        run.orders.push(...placed.orders);
      }
    },
    overdue,
  );
  return run;
}

async function createSkus(shop: Storefront, count: number, stock: number, seed: number): Promise<Array<{ id: number; stock: number }>> {
  const out: Array<{ id: number; stock: number }> = [];
  for (let i = 0; i < count; i++) {
    const res = await shop.createSku(`load ${seed} sku ${i} ${Date.now()}`, 990 + i * 10, stock);
    if (res.status !== 201) {
      throw new Error(`cannot create a SKU: ${res.status} ${JSON.stringify(res.body)}`);
    }
    out.push({ id: res.body.id, stock });
  }
  return out;
}

/** 1–3 distinct SKUs, 1–2 units each, from the shared pool: baskets overlap, so lock order matters. */
function randomBasket(skus: Array<{ id: number }>, random: () => number): Basket {
  const n = 1 + Math.floor(random() * Math.min(3, skus.length));
  const picked = new Set<number>();
  while (picked.size < n) {
    picked.add(skus[Math.floor(random() * skus.length)].id);
  }
  return [...picked].sort((a, b) => a - b).map((skuId) => ({ skuId, quantity: 1 + Math.floor(random() * 2) }));
}

/** Confirm (buy-now, or the cart for a basket) then submit `copies` times at once; null if confirm failed. */
async function attempt(
  shop: Storefront,
  buyer: Buyer,
  basket: Basket,
  copies: number,
  viaCart: boolean,
): Promise<{ accepted: number; orders: PlacedOrder[] } | null> {
  if (viaCart) {
    for (const line of basket) {
      await shop.addToCart(buyer.token, line.skuId, line.quantity);
    }
  }
  const confirm = viaCart
    ? await shop.confirmCart(buyer.token)
    : await shop.confirmBuyNow(buyer.token, basket[0].skuId, basket[0].quantity);
  if (confirm.status !== 200) {
    return null;
  }
  // The confirm page is what the buyer submits (from a cart it may hold items of an earlier basket).
  const lines = confirm.body.items.map((i) => ({ skuId: i.skuId, quantity: i.quantity }));
  const body = { orderToken: confirm.body.orderToken, addressId: buyer.addressId, items: lines, expectedTotal: confirm.body.totalAmount };
  const replies = await Promise.all(Array.from({ length: copies }, () => shop.submit(buyer.token, body)));
  const orders = replies.filter((r) => r.status === 201).map((r) => ({ buyer, orderSn: r.body.orderSn, lines }));
  return { accepted: orders.length, orders };
}
