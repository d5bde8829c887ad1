import { Injectable } from '@nestjs/common';
import { createEvent, OrderLine, TOPICS } from '@shop/shared';
import { correlationIdOrNew } from '@shop/shared/nest';
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
   */
  async release(orderSn: string, causationId?: string): Promise<StockLockRecord[]> {
    const locks = await this.tx.run(async () => {
      await this.locks.claimAbandoned(orderSn);
      return this.transitionInTx('release', orderSn, causationId);
    });
    // Thrown after the commit, so the abandonment marker stays even when nothing was locked.
    if (locks === null) {
      throw new LockNotFoundError(orderSn);
    }
    return locks;
  }

  /** LOCKED → DEDUCTED (order paid): the units leave stock for good. Idempotent. */
  deduct(orderSn: string, causationId?: string): Promise<StockLockRecord[]> {
    return this.transition('deduct', orderSn, causationId);
  }

  /** One transaction: conditional transition, stock change, and one event only if rows moved. */
  private async transition(kind: LockTransition, orderSn: string, causationId?: string): Promise<StockLockRecord[]> {
    const locks = await this.tx.run(() => this.transitionInTx(kind, orderSn, causationId));
    if (locks === null) {
      throw new LockNotFoundError(orderSn);
    }
    return locks;
  }

  /** null when the order has no locks at all. */
  private async transitionInTx(kind: LockTransition, orderSn: string, causationId?: string): Promise<StockLockRecord[] | null> {
    const { to, event } = TRANSITIONS[kind];
    const moved = await this.locks.transition(orderSn, to);
    if (moved === null) {
      return null;
    }
    if (moved.length > 0) {
      const meta = { correlationId: correlationIdOrNew(), ...(causationId ? { causationId } : {}) };
      await this.outbox.append(TOPICS.inventory, createEvent(event, orderSn, { orderSn, items: moved }, meta));
    }
    return this.locks.findLocks(orderSn);
  }
}
