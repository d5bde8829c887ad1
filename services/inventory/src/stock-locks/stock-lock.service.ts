import { Injectable } from '@nestjs/common';
import { createEvent, OrderLine, TOPICS } from '@shop/shared';
import { eventMeta } from '@shop/shared/nest';
import { OutboxWriter } from '../infrastructure/outbox/outbox.writer';
import { InventoryTx } from '../infrastructure/prisma/inventory-prisma.service';
import { sameLines, sortedLines, StockLockRecord } from './stock-lock-response';
import { InsufficientStockError, LockConflictError, LockNotFoundError, UnknownSkusError } from './stock-lock.errors';
import { LockTransitionTarget, StockLockRepository } from './stock-lock.repository';

export interface LockStockCommand {
  orderSn: string;
  expiresAt: Date;
  items: OrderLine[];
}

export interface LockResult {
  orderSn: string;
  /** false when this call replayed an earlier successful lock of the same orderSn. */
  created: boolean;
  locks: StockLockRecord[];
}

type LockAttempt = { kind: 'LOCKED'; created: boolean; locks: StockLockRecord[] } | { kind: 'REJECTED'; skuIds: number[] };

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
  constructor(
    private readonly locks: StockLockRepository,
    private readonly outbox: OutboxWriter,
    private readonly tx: InventoryTx,
  ) {}

  async lock(command: LockStockCommand): Promise<LockResult> {
    const items = sortedLines(command.items);
    const attempt = await this.tx.run(() => this.lockInTx(command.orderSn, items, command.expiresAt));
    // Thrown only after the commit: a rejection is an outcome to remember, not a rollback.
    if (attempt.kind === 'REJECTED') {
      throw new InsufficientStockError(attempt.skuIds);
    }
    return { orderSn: command.orderSn, created: attempt.created, locks: attempt.locks };
  }

  private async lockInTx(orderSn: string, items: OrderLine[], expiresAt: Date): Promise<LockAttempt> {
    if (!(await this.locks.claimRequest(orderSn, items))) {
      return this.replay(orderSn, items);
    }
    // Throwing rolls back the claim too: an unknown SKU is a bad request, not an outcome to keep.
    const existing = new Set(await this.locks.findExistingSkuIds(items.map((i) => i.skuId)));
    const unknown = items.map((i) => i.skuId).filter((id) => !existing.has(id));
    if (unknown.length > 0) {
      throw new UnknownSkusError(unknown);
    }
    const short = await this.locks.lockStock(items);
    if (short.length > 0) {
      await this.locks.recordRejection(orderSn, short);
      return { kind: 'REJECTED', skuIds: short };
    }
    await this.locks.insertLocks(orderSn, items, expiresAt);
    return { kind: 'LOCKED', created: true, locks: await this.locks.findLocks(orderSn) };
  }

  /** A repeat of an orderSn gets the first outcome, even if stock changed since; other items are a conflict. */
  private async replay(orderSn: string, items: OrderLine[]): Promise<LockAttempt> {
    const first = await this.locks.findRequest(orderSn);
    if (!first || !sameLines(first.items, items)) {
      throw new LockConflictError(orderSn);
    }
    if (first.outcome === 'REJECTED') {
      return { kind: 'REJECTED', skuIds: first.shortSkuIds };
    }
    // The locks as they are now: if they were released meanwhile, the caller should learn it.
    return { kind: 'LOCKED', created: false, locks: await this.locks.findLocks(orderSn) };
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
      if (kind === 'release') {
        await this.locks.claimAbandoned(orderSn);
      }
      const { to, event } = TRANSITIONS[kind];
      const moved = await this.locks.transition(orderSn, to);
      if (moved === null) {
        return { kind: 'NO_LOCKS' } as const;
      }
      if (moved.length > 0) {
        await this.outbox.append(TOPICS.inventory, createEvent(event, orderSn, { orderSn, items: moved }, eventMeta()));
      }
      return { kind: moved.length > 0 ? 'MOVED' : 'UNCHANGED', locks: await this.locks.findLocks(orderSn) } as const;
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
