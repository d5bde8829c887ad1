import { Inject, Injectable } from '@nestjs/common';
import { Coalescer, createEvent, OrderLine, priceLines, TOPICS } from '@shop/shared';
import { eventMeta, Metrics, PLATFORM_CONFIG } from '@shop/shared/nest';
import { InventoryEnv } from '../config/inventory-env';
import { OutboxWriter } from '../infrastructure/outbox/outbox.writer';
import { InventoryTx } from '../infrastructure/prisma/inventory-prisma.service';
import { SkuRepository } from '../skus/sku.repository';
import { LinePrice, sameLines, sortedLines, StockLockRecord } from './stock-lock-response';
import { InsufficientStockError, LockConflictError, LockNotFoundError, LockPriceChangedError, UnknownSkusError } from './stock-lock.errors';
import { AcquireResult, LockRequest, LockTransitionTarget, StockLockRepository } from './stock-lock.repository';

export interface LockStockCommand {
  orderSn: string;
  expiresAt: Date;
  items: OrderLine[];
  /** Lock only at the prices that give this total (see `priceCheck`). */
  expectedTotal?: number;
}

export interface LockResult {
  orderSn: string;
  /** false when this call replayed an earlier successful lock of the same orderSn. */
  created: boolean;
  locks: StockLockRecord[];
  /** With `expectedTotal`: the prices it was checked against. */
  prices?: LinePrice[];
}

type Replay = { kind: 'LOCKED'; locks: StockLockRecord[] } | { kind: 'REJECTED'; skuIds: number[] };

/** The two ways out of LOCKED (state machine as data); each moves stock and emits one event. */
const TRANSITIONS = {
  release: { to: 'RELEASED', event: 'StockReleased' },
  deduct: { to: 'DEDUCTED', event: 'StockDeducted' },
} as const satisfies Record<string, { to: LockTransitionTarget; event: 'StockReleased' | 'StockDeducted' }>;

export type LockTransition = keyof typeof TRANSITIONS;

/**
 * Stock locks for orders (SPEC §5): lock all-or-nothing and idempotently per orderSn, release,
 * deduct. Each use case is one transaction; events leave through the outbox.
 */
@Injectable()
export class StockLockService {
  /**
   * Group commit of lock requests (issue 9): while a batch is in flight, the next requests queue and
   * go together in ONE statement and ONE COMMIT, allocated in arrival order. Requests whose first
   * SKU is the same share a lane, so one hot SKU's buyers are served strictly in arrival order;
   * different SKUs' lanes run in parallel. A request alone is flushed at once (no timer).
   */
  private readonly batcher: Coalescer<LockRequest, AcquireResult>;

  constructor(
    private readonly locks: StockLockRepository,
    private readonly catalog: SkuRepository,
    private readonly outbox: OutboxWriter,
    private readonly tx: InventoryTx,
    @Inject(PLATFORM_CONFIG) config: InventoryEnv,
    metrics: Metrics,
  ) {
    // requests_total / batches_total is the mean batch size: 1 when idle, growing with the load.
    const batches = metrics.counter('stock_lock_batches_total', 'Stock-lock batches flushed (one statement and one COMMIT each)', []);
    const requests = metrics.counter('stock_lock_batched_requests_total', 'Stock-lock requests carried by those batches', []);
    this.batcher = new Coalescer({
      lanes: config.STOCK_LOCK_LANES,
      maxBatch: config.STOCK_LOCK_MAX_BATCH,
      laneOf: (r) => r.items[0].skuId,
      flush: (batch) => {
        batches.inc();
        requests.inc(batch.length);
        return this.locks.acquire(batch);
      },
    });
  }

  async lock(command: LockStockCommand): Promise<LockResult> {
    const { orderSn, expiresAt } = command;
    const items = sortedLines(command.items);
    const prices = command.expectedTotal === undefined ? undefined : await this.priceCheck(items, command.expectedTotal);
    const result = await this.batcher.submit({ orderSn, items, expiresAt });
    switch (result.outcome) {
      case 'LOCKED':
        // Exactly what the statement wrote (expires_at is stored to the millisecond, as a Date is).
        return { orderSn, created: true, locks: items.map((i) => ({ ...i, status: 'LOCKED' as const, expiresAt })), prices };
      case 'REJECTED':
        throw new InsufficientStockError(result.skuIds);
      case 'UNKNOWN':
        throw new UnknownSkusError(result.skuIds);
      case 'DUPLICATE': {
        const replay = await this.replay(orderSn, items);
        if (replay.kind === 'REJECTED') {
          throw new InsufficientStockError(replay.skuIds);
        }
        return { orderSn, created: false, locks: replay.locks, prices };
      }
    }
  }

  /**
   * The submit's price re-read (SPEC §6 step 2), done here, in the request that locks: one call
   * instead of a catalog read and then a lock (an HTTP hop less per order, and no window between
   * reading the prices and locking at them). Priced by the shared `priceLines`, as the order
   * service prices: unknown SKUs → 404, a total over the order cap → 400; a total other than the
   * one the buyer was shown → 409 INVENTORY.PRICE_CHANGED with `currentTotal`; all before
   * anything is locked.
   */
  private async priceCheck(items: OrderLine[], expectedTotal: number): Promise<LinePrice[]> {
    const skus = await this.catalog.findByIds(items.map((i) => i.skuId));
    const { items: priced, totalAmount } = priceLines(items, new Map(skus.map((s) => [s.id, s])));
    if (totalAmount !== expectedTotal) {
      throw new LockPriceChangedError(expectedTotal, totalAmount);
    }
    return priced.map(({ skuId, title, unitPrice }) => ({ skuId, title, unitPrice }));
  }

  /** A repeat of an orderSn gets the first outcome, even if stock changed since; other items are a conflict. */
  private async replay(orderSn: string, items: OrderLine[]): Promise<Replay> {
    const first = await this.locks.findRequest(orderSn);
    if (!first || !sameLines(first.items, items)) {
      throw new LockConflictError(orderSn);
    }
    if (first.outcome === 'REJECTED') {
      return { kind: 'REJECTED', skuIds: first.shortSkuIds };
    }
    // The locks as they are now: if they were released meanwhile, the caller should learn it.
    return { kind: 'LOCKED', locks: await this.locks.findLocks(orderSn) };
  }

  async get(orderSn: string): Promise<StockLockRecord[]> {
    const locks = await this.locks.findLocks(orderSn);
    if (locks.length === 0) {
      throw new LockNotFoundError(orderSn);
    }
    return locks;
  }

  /**
   * LOCKED → RELEASED (order cancelled, or never created). Idempotent. It first claims the orderSn
   * as abandoned (same primary key a lock request claims): a lock request still in flight — say,
   * one whose caller timed out and is releasing — is waited for and then released; a lock request
   * arriving after this release replays as a conflict instead of locking stock for nobody.
   * Throws LockNotFoundError (for the HTTP API) after the commit, so the abandonment marker stays.
   */
  async release(orderSn: string): Promise<StockLockRecord[]> {
    return locksOrThrow(orderSn, await this.settle('release', orderSn));
  }

  /** LOCKED → DEDUCTED (order paid): the units leave stock for good. Idempotent. */
  async deduct(orderSn: string): Promise<StockLockRecord[]> {
    return locksOrThrow(orderSn, await this.settle('deduct', orderSn));
  }

  /**
   * The transition as a value, never an exception: consumers call this inside their inbox
   * transaction, where "no locks" or "already moved" are outcomes, not failures (a throw there would
   * roll the inbox row back and send the event to the dead-letter topic). Joins the caller's
   * transaction when there is one: conditional transition, stock change, and one event only if
   * rows moved.
   */
  settle(kind: LockTransition, orderSn: string): Promise<Settlement> {
    return this.tx.run(async () => {
      const { to, event } = TRANSITIONS[kind];
      // A release claims the orderSn as abandoned first (see `release`); one statement either way.
      const result = await this.locks.transition(orderSn, to, kind === 'release');
      if (result === null) {
        return { kind: 'NO_LOCKS' } as const;
      }
      if (result.moved.length > 0) {
        await this.outbox.append(TOPICS.inventory, createEvent(event, orderSn, { orderSn, items: result.moved }, eventMeta()));
      }
      return { kind: result.moved.length > 0 ? 'MOVED' : 'UNCHANGED', locks: result.locks } as const;
    });
  }
}

export type Settlement = { kind: 'NO_LOCKS' } | { kind: 'MOVED' | 'UNCHANGED'; locks: StockLockRecord[] };

function locksOrThrow(orderSn: string, s: Settlement): StockLockRecord[] {
  if (s.kind === 'NO_LOCKS') {
    throw new LockNotFoundError(orderSn);
  }
  return s.locks;
}
