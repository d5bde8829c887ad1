import { INestApplication } from '@nestjs/common';
import { http, HttpResult } from '@shop/shared/testing';
import { Client } from 'pg';
import { createInventoryApp } from '../../services/inventory/src/create-app';
import { StockLockService } from '../../services/inventory/src/stock-locks/stock-lock.service';
import { expectStockInvariants } from '../support/invariants';
import { createSku, INTERNAL_TOKEN, startSystem, TestSystem } from '../support/system';

/**
 * The group-committed stock lock (issue 9) against a model, over the real HTTP API of TWO
 * inventory instances on one database. Rounds of random operations run concurrently (a real
 * interleaving: batches form and race across instances); after each round the database must match
 * the model and the invariants:
 *   - every SKU: 0 <= locked_stock <= stock, locked_stock = units held by its LOCKED locks,
 *     stock = initial stock - units DEDUCTED;
 *   - every orderSn keeps its FIRST outcome: a repeat with the same items replays it (200 for a
 *     lock, the same 409 for a rejection), other items are 409 INVENTORY.LOCK_CONFLICT;
 *   - a 201 holds exactly the items asked for; a 409 INSUFFICIENT_STOCK holds nothing;
 *   - no unsold units: when a round only asks for single units of one SKU, the number granted is
 *     min(units available before the round, requests) — nobody is refused while a unit was there;
 *   - nothing answers 5xx.
 * Seeded, so a failure can be rerun as it was.
 */
const internal = { 'x-internal-token': INTERNAL_TOKEN };
type Line = { skuId: number; quantity: number };

function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ModelOrder {
  items: Line[];
  outcome: 'LOCKED' | 'REJECTED';
  status: 'LOCKED' | 'RELEASED' | 'DEDUCTED' | 'REJECTED';
}

describe('stock locks under group commit: a model check with two instances', () => {
  let sys: TestSystem;
  let second: INestApplication;
  let urls: string[];
  let db: Client;
  beforeAll(async () => {
    sys = await startSystem(['inventory']);
    second = (await createInventoryApp(sys.env)).app;
    await second.listen(0, '127.0.0.1');
    urls = [sys.url.inventory, await second.getUrl().then((u) => u.replace('[::1]', '127.0.0.1'))];
    db = new Client({ connectionString: sys.databaseUrl.inventory });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await second.close();
    await sys.stop();
  });

  it.each([101, 202, 303])('seed %i: 12 rounds of concurrent lock / repeat / release / deduct match the model', async (seed) => {
    const rnd = random(seed);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
    const initial = [6, 4, 10, 3];
    const skus: number[] = [];
    for (const stock of initial) {
      skus.push((await createSku(sys.url.inventory, { stock })).id);
    }
    const model = new Map<string, ModelOrder>();
    const stock = new Map(skus.map((id, i) => [id, initial[i]]));
    let sn = BigInt(seed) * 1_000_000_000_000n;
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const post = (path: string, body?: unknown): Promise<HttpResult> => http('POST', `${pick(urls)}${path}`, { headers: internal, body });

    for (let round = 0; round < 12; round++) {
      const hotRound = round % 4 === 3;
      const [hot] = skus;
      const availableBefore = await available(hot);
      // This round's operations, all in flight at once.
      const ops: Array<() => Promise<void>> = [];
      const newLocks: Array<{ orderSn: string; items: Line[]; res?: HttpResult }> = [];
      const count = hotRound ? 12 : 8;
      for (let k = 0; k < count; k++) {
        const known = [...model.keys()];
        const dice = rnd();
        if (hotRound || known.length === 0 || dice < 0.55) {
          const items = hotRound ? [{ skuId: hot, quantity: 1 }] : basket(rnd, skus);
          const op: { orderSn: string; items: Line[]; res?: HttpResult } = { orderSn: String(++sn), items };
          newLocks.push(op);
          // Sometimes the same new orderSn twice at once (a retried call): one outcome for both.
          const copies = !hotRound && rnd() < 0.2 ? 2 : 1;
          for (let c = 0; c < copies; c++) {
            ops.push(async () => {
              const res = await post('/internal/stock-locks', { orderSn: op.orderSn, expiresAt, items: op.items });
              expect(res.status).toBeLessThan(500);
              if (!op.res || res.status === 201) {
                op.res = res;
              }
            });
          }
        } else if (!hotRound && dice < 0.7) {
          const orderSn = pick(known);
          const m = model.get(orderSn)!;
          ops.push(async () => {
            // A repeat after the fact replays the first outcome; other items are a conflict.
            const same = rnd() < 0.7;
            const res = await post('/internal/stock-locks', { orderSn, expiresAt, items: same ? m.items : basket(rnd, skus, m.items) });
            expect(res.status).toBeLessThan(500);
            if (!same) {
              expect(`${res.status} ${res.body?.error?.code}`).toBe('409 INVENTORY.LOCK_CONFLICT');
            } else if (m.outcome === 'REJECTED') {
              expect(`${res.status} ${res.body?.error?.code}`).toBe('409 INVENTORY.INSUFFICIENT_STOCK');
            } else {
              expect(res.status).toBe(200);
            }
          });
        }
      }
      // Releases and deductions of earlier locked orders, concurrently with the new locks (not in hot rounds).
      if (!hotRound) {
        for (const [orderSn, m] of model) {
          if (m.status === 'LOCKED' && rnd() < 0.3) {
            const deduct = rnd() < 0.5;
            m.status = deduct ? 'DEDUCTED' : 'RELEASED';
            if (deduct) {
              for (const l of m.items) {
                stock.set(l.skuId, stock.get(l.skuId)! - l.quantity);
              }
            }
            ops.push(async () => {
              if (deduct) {
                // Deduct is not an HTTP route (it arrives as OrderPaid): the service's own use case.
                await sys.apps.inventory!.get(StockLockService).deduct(orderSn);
              } else {
                expect((await post(`/internal/stock-locks/${orderSn}/release`)).status).toBe(200);
              }
            });
          }
        }
      }
      await Promise.all(shuffle(rnd, ops).map((op) => op()));

      for (const op of newLocks) {
        const res = op.res!;
        if (res.status === 201) {
          expect(res.body.items.map((i: Line & { status: string }) => ({ skuId: i.skuId, quantity: i.quantity }))).toEqual(
            sorted(op.items),
          );
          model.set(op.orderSn, { items: sorted(op.items), outcome: 'LOCKED', status: 'LOCKED' });
        } else {
          expect(`${res.status} ${res.body?.error?.code}`).toBe('409 INVENTORY.INSUFFICIENT_STOCK');
          model.set(op.orderSn, { items: sorted(op.items), outcome: 'REJECTED', status: 'REJECTED' });
        }
      }
      if (hotRound) {
        const granted = newLocks.filter((o) => o.res!.status === 201).length;
        expect(granted).toBe(Math.min(availableBefore, newLocks.length));
      }
      await expectMatchesModel(model, stock);
    }
  });

  /** The database against the model: stock per SKU, and per orderSn its first outcome, its locks' status and units. */
  async function expectMatchesModel(model: Map<string, ModelOrder>, stock: Map<number, number>): Promise<void> {
    await expectStockInvariants(sys.databaseUrl.inventory!);
    const skuRows = await db.query<{ id: number; stock: number }>('SELECT id, stock FROM skus WHERE id = ANY($1)', [[...stock.keys()]]);
    expect(Object.fromEntries(skuRows.rows.map((r) => [r.id, r.stock]))).toEqual(Object.fromEntries(stock));
    const rows = await db.query<{ order_sn: string; outcome: string; status: string | null; units: number }>(
      `SELECT r.order_sn, r.outcome::text, min(l.status::text) AS status, COALESCE(sum(l.quantity), 0)::int AS units
         FROM stock_lock_requests r LEFT JOIN stock_locks l USING (order_sn)
        WHERE r.order_sn = ANY($1) GROUP BY r.order_sn, r.outcome`,
      [[...model.keys()]],
    );
    const actual = Object.fromEntries(rows.rows.map((r) => [r.order_sn, `${r.outcome} ${r.status ?? 'NONE'} ${r.units}`]));
    const expected = Object.fromEntries(
      [...model].map(([sn, m]) => [
        sn,
        m.outcome === 'REJECTED' ? 'REJECTED NONE 0' : `LOCKED ${m.status} ${m.items.reduce((n, l) => n + l.quantity, 0)}`,
      ]),
    );
    expect(actual).toEqual(expected);
  }

  async function available(skuId: number): Promise<number> {
    return (await db.query<{ a: number }>('SELECT stock - locked_stock AS a FROM skus WHERE id = $1', [skuId])).rows[0].a;
  }
});

/** 1–3 distinct SKUs, 1–3 units each, in a random order (the service sorts); differs from `not` when given. */
function basket(rnd: () => number, skus: number[], not?: Line[]): Line[] {
  for (;;) {
    const chosen = shuffle(rnd, skus).slice(0, 1 + Math.floor(rnd() * 3));
    const items = chosen.map((skuId) => ({ skuId, quantity: 1 + Math.floor(rnd() * 3) }));
    if (!not || !sameItems(not, items)) {
      return items;
    }
  }
}

function sorted(items: Line[]): Line[] {
  return [...items].sort((a, b) => a.skuId - b.skuId);
}

function sameItems(a: Line[], b: Line[] | undefined): boolean {
  return b !== undefined && JSON.stringify(sorted(a)) === JSON.stringify(sorted(b.map((l) => ({ skuId: l.skuId, quantity: l.quantity }))));
}

function shuffle<T>(rnd: () => number, xs: T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
