import { Injectable } from '@nestjs/common';
import type { OrderLine } from '@shop/shared';
import type { SqlStatement } from '@shop/shared/nest';
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

const ACQUIRE: SqlStatement = {
  name: 'stock_lock_acquire',
  text: 'SELECT order_sn, outcome, sku_ids FROM stock_lock_acquire($1::varchar[], $2::timestamptz[], $3::jsonb[])',
};

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
    const rows = await this.tx.query<{ order_sn: string; outcome: AcquireResult['outcome']; sku_ids: number[] }>(ACQUIRE, [
      requests.map((r) => r.orderSn),
      requests.map((r) => r.expiresAt.toISOString()),
      requests.map((r) => JSON.stringify(r.items)),
    ]);
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

  async findRequest(orderSn: string): Promise<LockRequestRecord | null> {
    const r = await this.tx.client.stockLockRequest.findUnique({ where: { orderSn } });
    return r ? { outcome: r.outcome, items: r.items as unknown as OrderLine[], shortSkuIds: r.shortSkuIds as unknown as number[] } : null;
  }

  findLocks(orderSn: string): Promise<StockLockRecord[]> {
    return this.tx.client.stockLock.findMany({ where: { orderSn }, select: LOCK_COLUMNS, orderBy: { skuId: 'asc' } });
  }

  /**
   * LOCKED → `to` for one order and the matching stock change, as ONE statement (the
   * `stock_lock_settle` function of migration 20261201110000, which documents the rules: the
   * release's abandonment claim, the order's lock rows locked first, the conditional status change,
   * SKU rows locked in id order). Joins the caller's transaction (the event is appended in it).
   * Returns null if the order has no locks at all, else the lines that moved ([] on a replay) and
   * the order's locks as they are now.
   */
  async transition(
    orderSn: string,
    to: LockTransitionTarget,
    claimAbandoned: boolean,
  ): Promise<{ moved: OrderLine[]; locks: StockLockRecord[] } | null> {
    const [row] = await this.inTx().$queryRaw<Array<{ r: SettleJson }>>`
      SELECT stock_lock_settle(${orderSn}, ${to}::stock_lock_status, ${claimAbandoned}) AS r`;
    if (!row.r.found) {
      return null;
    }
    return {
      moved: row.r.moved,
      locks: row.r.locks.map((l) => ({ skuId: l.skuId, quantity: l.quantity, status: l.status, expiresAt: new Date(l.expiresAt) })),
    };
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

/** What `stock_lock_settle` answers (jsonb, parsed by the driver). */
type SettleJson =
  | { found: false }
  | { found: true; moved: OrderLine[]; locks: Array<{ skuId: number; quantity: number; status: StockLockStatus; expiresAt: string }> };
