import { Injectable } from '@nestjs/common';
import type { OrderLine } from '@shop/shared';
import { InventoryTx } from '../infrastructure/prisma/inventory-prisma.service';
import { StockLockRecord, StockLockStatus } from './stock-lock-response';

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
 * decide races are written as SQL, each with the race it closes. Every method expects to run
 * inside the caller's `InventoryTx.run` (the savepoint and row locks only make sense there).
 */
@Injectable()
export class StockLockRepository {
  constructor(private readonly tx: InventoryTx) {}

  /**
   * Claims the orderSn for this request. The primary key is the serialisation point for duplicates:
   * a concurrent INSERT of the same orderSn blocks until this transaction ends, then does nothing
   * (and its caller replays our outcome) or inserts (if we rolled back). Outcome starts LOCKED and
   * is set to REJECTED in the same transaction, so nobody ever sees the provisional value.
   */
  async claimRequest(orderSn: string, items: OrderLine[]): Promise<boolean> {
    const rows = await this.inTx().$queryRaw<Array<{ order_sn: string }>>`
      INSERT INTO stock_lock_requests (order_sn, outcome, items)
      VALUES (${orderSn}, 'LOCKED', ${JSON.stringify(items)}::jsonb)
      ON CONFLICT (order_sn) DO NOTHING
      RETURNING order_sn`;
    return rows.length === 1;
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

  async recordRejection(orderSn: string, shortSkuIds: number[]): Promise<void> {
    await this.inTx().stockLockRequest.update({ where: { orderSn }, data: { outcome: 'REJECTED', shortSkuIds } });
  }

  async findExistingSkuIds(skuIds: number[]): Promise<number[]> {
    const rows = await this.tx.client.sku.findMany({ where: { id: { in: skuIds } }, select: { id: true } });
    return rows.map((r) => r.id);
  }

  /**
   * Locks every item or none; `items` must be sorted by skuId, so two orders sharing SKUs take the
   * row locks in the same order and cannot deadlock. Returns the short skuIds ([] = all locked).
   * A savepoint lets us undo the stock changes while keeping the request row of this transaction,
   * so the REJECTED outcome still commits.
   */
  async lockStock(items: OrderLine[]): Promise<number[]> {
    const client = this.inTx();
    await client.$executeRaw`SAVEPOINT lock_stock`;
    for (const { skuId, quantity } of items) {
      // ONE conditional statement per SKU: the check and the increment happen on the row as it is
      // when the UPDATE holds its lock, so two buyers can never both take the last unit (the
      // check-then-act race of "SELECT available; UPDATE"). 0 rows = not enough stock.
      const updated = await client.$executeRaw`
        UPDATE skus
           SET locked_stock = locked_stock + ${quantity}::integer, updated_at = now()
         WHERE id = ${skuId}::integer
           AND stock - locked_stock >= ${quantity}::integer`;
      if (updated === 0) {
        // Also releases the row locks taken since the savepoint, so other orders need not wait for us.
        await client.$executeRaw`ROLLBACK TO SAVEPOINT lock_stock`;
        return this.shortSkuIds(items, skuId);
      }
    }
    await client.$executeRaw`RELEASE SAVEPOINT lock_stock`;
    return [];
  }

  /**
   * Every item that is short now (a read after the rollback, for the error's details), plus the
   * one whose UPDATE refused, in case stock was freed in between.
   */
  private async shortSkuIds(items: OrderLine[], refused: number): Promise<number[]> {
    const rows = await this.inTx().$queryRaw<Array<{ id: number }>>`
      SELECT s.id
        FROM skus s
        JOIN unnest(${items.map((i) => i.skuId)}::integer[], ${items.map((i) => i.quantity)}::integer[]) AS r (sku_id, quantity)
          ON s.id = r.sku_id
       WHERE s.stock - s.locked_stock < r.quantity`;
    return [...new Set([refused, ...rows.map((r) => r.id)])].sort((a, b) => a - b);
  }

  async insertLocks(orderSn: string, items: OrderLine[], expiresAt: Date): Promise<void> {
    await this.inTx().stockLock.createMany({
      data: items.map((i) => ({ orderSn, skuId: i.skuId, quantity: i.quantity, status: 'LOCKED' as const, expiresAt })),
    });
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
