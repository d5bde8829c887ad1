import { Injectable } from '@nestjs/common';
import type { OrderLine } from '@shop/shared';
import { InventoryTx } from '../infrastructure/prisma/inventory-prisma.service';
import { StockLockRecord, StockLockStatus } from './stock-lock-response';

/** One lock request: `items` sorted by skuId (the canonical form stored for replay comparison). */
export interface LockRequest {
  orderSn: string;
  items: OrderLine[];
  expiresAt: Date;
}

/**
 * What the batch decided for one request. DUPLICATE: its orderSn was claimed before (by an earlier
 * request, or by an earlier copy in the same batch); the caller replays that first outcome.
 */
export interface AcquireResult {
  outcome: 'LOCKED' | 'REJECTED' | 'UNKNOWN' | 'DUPLICATE';
  /** REJECTED: the SKUs that did not fit; UNKNOWN: the SKUs that do not exist. */
  skuIds: number[];
}

export interface LockRequestRecord {
  outcome: 'LOCKED' | 'REJECTED';
  items: OrderLine[];
  shortSkuIds: number[];
}

/** Where a LOCKED lock may go; both moves are final. */
export type LockTransitionTarget = Exclude<StockLockStatus, 'LOCKED'>;

const LOCK_COLUMNS = { skuId: true, quantity: true, status: true, expiresAt: true } as const;

/**
 * Stock locks, their idempotency record, and the stock columns they move. The statements that
 * decide races are written as SQL, each with the race it closes. `acquire` is one statement of its
 * own; the transition methods expect to run inside the caller's `InventoryTx.run` (their row locks
 * only make sense there).
 */
@Injectable()
export class StockLockRepository {
  constructor(private readonly tx: InventoryTx) {}

  /**
   * Locks stock for a batch of requests in ONE statement (the `stock_lock_acquire` function of
   * migration 20261201100000, which documents every rule: claim per orderSn, unknown SKUs, SKU rows
   * locked in id order, all-or-nothing allocation in arrival order, conditional counters). One round
   * trip and one COMMIT, in autocommit: the hot row is held only from its FOR UPDATE to that COMMIT.
   * A deadlock or write conflict (two batches claiming the same orderSns) retries the whole
   * statement; it is counted in `InventoryTx.retries`.
   */
  async acquire(requests: LockRequest[]): Promise<AcquireResult[]> {
    const rows = await this.tx.runStatement(
      (client) => client.$queryRaw<Array<{ order_sn: string; outcome: AcquireResult['outcome']; sku_ids: number[] }>>`
        SELECT order_sn, outcome, sku_ids
          FROM stock_lock_acquire(
                 ${requests.map((r) => r.orderSn)}::varchar[],
                 ${requests.map((r) => r.expiresAt.toISOString())}::timestamptz[],
                 ${requests.map((r) => JSON.stringify(r.items))}::jsonb[])`,
    );
    if (rows.length !== requests.length) {
      throw new Error(`stock_lock_acquire answered ${rows.length} rows for ${requests.length} requests`);
    }
    return rows.map((r, i) => {
      if (r.order_sn !== requests[i].orderSn) {
        throw new Error('stock_lock_acquire answered out of order');
      }
      return { outcome: r.outcome, skuIds: r.sku_ids };
    });
  }

  /**
   * Marks an orderSn as given up (a REJECTED request for no items) unless a request exists. If a
   * lock request holds the key uncommitted, this INSERT waits for it: then it conflicts, and the
   * caller releases what that request locked.
   */
  async claimAbandoned(orderSn: string): Promise<void> {
    await this.inTx().$executeRaw`
      INSERT INTO stock_lock_requests (order_sn, outcome, items)
      VALUES (${orderSn}, 'REJECTED', '[]'::jsonb)
      ON CONFLICT (order_sn) DO NOTHING`;
  }

  async findRequest(orderSn: string): Promise<LockRequestRecord | null> {
    const r = await this.tx.client.stockLockRequest.findUnique({ where: { orderSn } });
    return r ? { outcome: r.outcome, items: r.items as unknown as OrderLine[], shortSkuIds: r.shortSkuIds as unknown as number[] } : null;
  }

  findLocks(orderSn: string): Promise<StockLockRecord[]> {
    return this.tx.client.stockLock.findMany({ where: { orderSn }, select: LOCK_COLUMNS, orderBy: { skuId: 'asc' } });
  }

  /**
   * LOCKED → `to` for one order, and the matching stock change. Returns the lines that actually
   * moved ([] on a replay), or null if the order has no locks at all.
   */
  async transition(orderSn: string, to: LockTransitionTarget): Promise<OrderLine[] | null> {
    const client = this.inTx();
    // Row-lock the order's locks first: a concurrent release and deduct of the same order queue
    // here, and the second then finds nothing LOCKED below.
    const locks = await client.$queryRaw<Array<{ sku_id: number }>>`
      SELECT sku_id FROM stock_locks WHERE order_sn = ${orderSn} ORDER BY sku_id FOR UPDATE`;
    if (locks.length === 0) {
      return null;
    }
    // Conditional on the current status, so a replay (or a second sweeper) changes nothing.
    const moved = await client.$queryRaw<Array<{ sku_id: number; quantity: number }>>`
      UPDATE stock_locks
         SET status = ${to}::stock_lock_status, updated_at = now()
       WHERE order_sn = ${orderSn} AND status = 'LOCKED'
      RETURNING sku_id, quantity`;
    const lines = sortedMoved(moved);
    if (lines.length > 0) {
      await this.returnStock(lines, to);
    }
    return lines;
  }

  /** Gives back the locked units: to the shelf (RELEASED) or out of stock for good (DEDUCTED). */
  private async returnStock(lines: OrderLine[], to: LockTransitionTarget): Promise<void> {
    const client = this.inTx();
    const ids = lines.map((l) => l.skuId);
    const quantities = lines.map((l) => l.quantity);
    // Take the SKU row locks in id order, the same order lockStock uses, before the multi-row
    // UPDATE below (whose own locking order is unspecified): no deadlock with concurrent lockers.
    await client.$queryRaw`SELECT id FROM skus WHERE id = ANY(${ids}::integer[]) ORDER BY id FOR UPDATE`;
    const deducted = to === 'DEDUCTED' ? 1 : 0;
    await client.$executeRaw`
      UPDATE skus s
         SET locked_stock = s.locked_stock - r.quantity,
             stock = s.stock - ${deducted}::integer * r.quantity,
             updated_at = now()
        FROM unnest(${ids}::integer[], ${quantities}::integer[]) AS r (sku_id, quantity)
       WHERE s.id = r.sku_id`;
  }

  /** Expired LOCKED orders after `afterOrderSn` (keyset page), for the sweeper. */
  async findExpiredLockedOrderSns(afterOrderSn: string, limit: number): Promise<string[]> {
    const rows = await this.tx.client.$queryRaw<Array<{ order_sn: string }>>`
      SELECT DISTINCT order_sn
        FROM stock_locks
       WHERE status = 'LOCKED' AND expires_at < now() AND order_sn > ${afterOrderSn}
       ORDER BY order_sn
       LIMIT ${limit}::integer`;
    return rows.map((r) => r.order_sn);
  }

  private inTx(): InventoryTx['client'] {
    if (!this.tx.inTransaction) {
      throw new Error('StockLockRepository: this statement must run inside InventoryTx.run');
    }
    return this.tx.client;
  }
}

function sortedMoved(rows: Array<{ sku_id: number; quantity: number }>): OrderLine[] {
  return rows.map((r) => ({ skuId: r.sku_id, quantity: r.quantity })).sort((a, b) => a.skuId - b.skuId);
}
