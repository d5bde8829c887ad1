/** Reads every order with its items, locks and payment, chunk by chunk, and judges each one. */
import { chunks, CHUNK_SIZE, groupBy } from './batching';
import { judgeOrder } from './order-judge';
import type { Findings } from './report';
import type { LockRow, OrderItemRow, OrderRow, PaymentRow } from './rows';
import type { Db, Snapshot } from './snapshot';

export async function checkOrders(snapshot: Snapshot, findings: Findings): Promise<void> {
  // Keyset pagination on the primary key: constant cost per chunk however many orders there are.
  let after = '';
  for (;;) {
    const { rows: orders } = await snapshot.db.order.query<OrderRow>(
      `SELECT order_sn, status, total_amount, updated_at FROM orders
        WHERE order_sn > $1 ORDER BY order_sn LIMIT $2`,
      [after, CHUNK_SIZE],
    );
    if (orders.length === 0) {
      return;
    }
    findings.count('orders', orders.length);
    await judgeChunk(snapshot, orders, findings);
    after = orders[orders.length - 1].order_sn;
  }
}

async function judgeChunk(snapshot: Snapshot, orders: OrderRow[], findings: Findings): Promise<void> {
  const sns = orders.map((o) => o.order_sn);
  // Three databases, three round trips in parallel; each client runs its own query.
  const [items, locks, payments] = await Promise.all([
    itemsOf(snapshot.db.order, sns),
    locksOf(snapshot.db.inventory, sns),
    paymentsOf(snapshot.db.payment, sns),
  ]);
  for (const order of orders) {
    const sn = order.order_sn;
    const orderLocks = locks.get(sn) ?? [];
    const payment = payments.get(sn);
    if (!snapshot.settled(order.updated_at, payment?.updated_at, ...orderLocks.map((l) => l.updated_at))) {
      findings.count('inFlightSkipped');
      continue;
    }
    for (const j of judgeOrder({ order, items: items.get(sn) ?? [], locks: orderLocks, payment })) {
      findings.add(j.rule, j.message, j.ids);
    }
  }
}

async function itemsOf(db: Db, sns: string[]): Promise<Map<string, OrderItemRow[]>> {
  const { rows } = await db.query<OrderItemRow>(
    'SELECT order_sn, sku_id, quantity FROM order_items WHERE order_sn = ANY($1::varchar[]) ORDER BY order_sn, sku_id',
    [sns],
  );
  return groupBy(rows, (r) => r.order_sn);
}

async function locksOf(db: Db, sns: string[]): Promise<Map<string, LockRow[]>> {
  const { rows } = await db.query<LockRow>(
    `SELECT order_sn, sku_id, quantity, status, expires_at, updated_at FROM stock_locks
      WHERE order_sn = ANY($1::varchar[]) ORDER BY order_sn, sku_id`,
    [sns],
  );
  return groupBy(rows, (r) => r.order_sn);
}

async function paymentsOf(db: Db, sns: string[]): Promise<Map<string, PaymentRow>> {
  const { rows } = await db.query<PaymentRow>(
    'SELECT order_sn, status, amount, updated_at FROM payments WHERE order_sn = ANY($1::varchar[])',
    [sns],
  );
  return new Map(rows.map((r) => [r.order_sn, r]));
}

/** Orders by orderSn, for rules that start from another database's rows. */
export async function ordersBySn(db: Db, orderSns: readonly string[]): Promise<Map<string, OrderRow>> {
  const out = new Map<string, OrderRow>();
  for (const part of chunks(orderSns)) {
    const { rows } = await db.query<OrderRow>(
      'SELECT order_sn, status, total_amount, updated_at FROM orders WHERE order_sn = ANY($1::varchar[])',
      [part],
    );
    for (const r of rows) {
      out.set(r.order_sn, r);
    }
  }
  return out;
}
