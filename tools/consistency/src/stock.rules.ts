/** SPEC §10.1 on the inventory database, and expired locks that no order will ever release. */
import { ordersBySn } from './order.rules';
import type { Findings } from './report';
import type { LockRow } from './rows';
import type { Db, Snapshot } from './snapshot';

export async function checkStock(snapshot: Snapshot, findings: Findings): Promise<void> {
  const db = snapshot.db.inventory;
  const { rows } = await db.query<{ skus: number; locks: number }>(
    'SELECT (SELECT count(*) FROM skus)::int AS skus, (SELECT count(*) FROM stock_locks)::int AS locks',
  );
  findings.count('skus', rows[0].skus);
  findings.count('locks', rows[0].locks);
  await checkBounds(db, findings);
  await checkLockedSum(db, findings);
  await checkOrphanLocks(snapshot, findings);
}

/** The table's CHECK constraint should make this impossible; the checker does not take that on trust. */
async function checkBounds(db: Db, findings: Findings): Promise<void> {
  const { rows } = await db.query<{ id: number; stock: number; locked_stock: number }>(
    `SELECT id, stock, locked_stock FROM skus
      WHERE NOT (locked_stock >= 0 AND locked_stock <= stock)
      ORDER BY id`,
  );
  for (const r of rows) {
    findings.add('stock.bounds', `sku ${r.id}: locked_stock ${r.locked_stock} is outside 0..stock (${r.stock})`, {
      skuId: r.id,
    });
  }
}

/** One statement, so the sum and the counter are compared within the same snapshot, exactly. */
async function checkLockedSum(db: Db, findings: Findings): Promise<void> {
  const { rows } = await db.query<{ id: number; locked_stock: number; held: string }>(
    `SELECT s.id, s.locked_stock, COALESCE(l.held, 0) AS held
       FROM skus s
       LEFT JOIN (SELECT sku_id, SUM(quantity) AS held FROM stock_locks WHERE status = 'LOCKED' GROUP BY sku_id) l
         ON l.sku_id = s.id
      WHERE s.locked_stock <> COALESCE(l.held, 0)
      ORDER BY s.id`,
  );
  for (const r of rows) {
    findings.add('stock.locked-sum', `sku ${r.id}: locked_stock ${r.locked_stock} but its LOCKED locks hold ${Number(r.held)}`, {
      skuId: r.id,
    });
  }
}

/**
 * A LOCKED lock past its expiry whose order is gone or CANCELLED holds stock for nobody: the
 * sweeper should have released it. The orders live in another database, so they are read by
 * orderSn in chunks and joined here.
 */
async function checkOrphanLocks(snapshot: Snapshot, findings: Findings): Promise<void> {
  const { rows: locks } = await snapshot.db.inventory.query<LockRow>(
    `SELECT order_sn, sku_id, quantity, status, expires_at, updated_at FROM stock_locks
      WHERE status = 'LOCKED' AND expires_at <= $1 AND updated_at <= $1
      ORDER BY order_sn, sku_id`,
    [snapshot.cutoff],
  );
  const orders = await ordersBySn(snapshot.db.order, [...new Set(locks.map((l) => l.order_sn))]);
  for (const lock of locks) {
    const order = orders.get(lock.order_sn);
    const ids = { orderSn: lock.order_sn, skuId: lock.sku_id };
    if (!order) {
      findings.add('lock.orphan', `lock ${lock.order_sn}/sku ${lock.sku_id} (${lock.quantity}) expired and has no order`, ids);
    } else if (order.status === 'CANCELLED' && snapshot.settled(order.updated_at)) {
      findings.add('lock.orphan', `lock ${lock.order_sn}/sku ${lock.sku_id} (${lock.quantity}) expired; its order is CANCELLED`, ids);
    }
  }
}
