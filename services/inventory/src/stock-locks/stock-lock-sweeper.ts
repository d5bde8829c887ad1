import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { IntervalJob, LOGGER, PLATFORM_CONFIG } from '@shop/shared/nest';
import type { Logger } from 'pino';
import { InventoryEnv } from '../config/inventory-env';
import { OrderClient } from '../infrastructure/order.client';
import { decideSweep } from './sweep-decision';
import { StockLockRepository } from './stock-lock.repository';
import { StockLockService } from './stock-lock.service';

export const SWEEP_BATCH = 100;

/**
 * The backstop for locks whose order never settled them (SPEC §5): LOCKED rows past expiresAt are
 * released or deducted only after the order service says what became of the order.
 *
 * Several instances may run at once, without a leader or `FOR UPDATE SKIP LOCKED`: claiming rows
 * that way would hold a transaction open across the HTTP call to the order service. Instead, two
 * sweepers that pick the same order ask the same question, and the transitions they apply are
 * conditional on status = LOCKED under row locks, so the second one moves nothing and emits no
 * event. Their answers cannot contradict each other: an order leaves UNPAID once, for good.
 * "No such order" cannot be a creation still in flight: locks expire at payDeadline + grace.
 */
@Injectable()
export class StockLockSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly job: IntervalJob;
  /** Keyset cursor across runs, so orders we leave (UNPAID, order service down) cannot starve later ones. */
  private cursor = '';

  constructor(
    private readonly repository: StockLockRepository,
    private readonly locks: StockLockService,
    private readonly orders: OrderClient,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(PLATFORM_CONFIG) config: InventoryEnv,
  ) {
    this.job = new IntervalJob(
      'stock-lock-sweeper',
      config.STOCK_LOCK_SWEEP_INTERVAL_MS,
      async () => {
        await this.sweepOnce();
      },
      logger,
    );
  }

  onApplicationBootstrap(): void {
    this.job.start();
  }

  /** Before the Prisma client (a global module) disconnects: waits for a run in progress. */
  async onModuleDestroy(): Promise<void> {
    await this.job.stop();
  }

  /** One bounded batch of expired orders; returns how many were looked at (tests drive this). */
  async sweepOnce(): Promise<number> {
    const start = this.cursor;
    const orderSns = await this.repository.findExpiredLockedOrderSns(start, SWEEP_BATCH);
    this.cursor = orderSns.length === SWEEP_BATCH ? orderSns[orderSns.length - 1] : '';
    for (const [i, orderSn] of orderSns.entries()) {
      if (!(await this.sweepOrder(orderSn))) {
        // Order service unreachable: the next run starts this page again.
        this.cursor = start;
        return i + 1;
      }
    }
    return orderSns.length;
  }

  /** Settles one order's expired locks if the answer is definite; false = stop this run. */
  private async sweepOrder(orderSn: string): Promise<boolean> {
    const decision = decideSweep(await this.orders.lookup(orderSn));
    const log = { orderSn, action: decision.action, reason: decision.reason };
    try {
      switch (decision.action) {
        case 'release':
          await this.locks.release(orderSn);
          break;
        case 'deduct':
          await this.locks.deduct(orderSn);
          break;
        case 'leave':
          break;
      }
    } catch (err) {
      // One order's failure must not stop the batch; its locks stay LOCKED for the next run.
      this.logger.warn({ ...log, err }, 'stock-lock sweep failed for order');
      return true;
    }
    if (decision.warning) {
      this.logger.warn(log, 'expired stock locks left in place');
    } else if (decision.action !== 'leave') {
      this.logger.info(log, 'expired stock locks settled');
    }
    return !decision.stopRun;
  }
}
