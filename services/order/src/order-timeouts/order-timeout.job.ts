import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { forEachBounded } from '@shop/shared';
import { IntervalJob, LeaderLease, LOGGER, Metrics, PLATFORM_CONFIG, REDIS } from '@shop/shared/nest';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { OrderEnv } from '../config/order-env';
import { OrderCancellationService } from '../orders/order-cancellation.service';
import { OrderRecord } from '../orders/order-response';
import { InvalidTransitionError } from '../orders/order-state';
import { OrderRepository } from '../orders/order.repository';
import { LeaderFenceRepository } from './leader-fence.repository';

export const TIMEOUT_LEASE = 'order-timeout';
const PAGE = 200;

/** A write by a leader whose epoch is no longer current: refused inside the transaction. */
export class FencedOutError extends Error {
  constructor(readonly epoch: number) {
    super(`fencing token ${epoch} of ${TIMEOUT_LEASE} is stale: another instance leads now`);
  }
}

/**
 * The pay-timeout job (SPEC §6): on exactly one instance at a time (LeaderLease), every UNPAID
 * order past its deadline is closed at the payment side first, then cancelled (TIMEOUT) with
 * OrderCancelled — or left to the payment event if the close says PAID. Correctness does not rest
 * on the lease: the cancel is a conditional UPDATE on UNPAID, and it is fenced — it commits only
 * while the epoch this instance was elected with is still current in the order database.
 * Throughput: keyset pages, at most ORDER_TIMEOUT_CONCURRENCY close calls in flight.
 */
@Injectable()
export class OrderTimeoutJob implements OnApplicationBootstrap, OnModuleDestroy {
  readonly lease: LeaderLease;
  private readonly job: IntervalJob;

  constructor(
    private readonly orders: OrderRepository,
    private readonly cancellation: OrderCancellationService,
    private readonly fences: LeaderFenceRepository,
    @Inject(REDIS) redis: Redis,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(PLATFORM_CONFIG) private readonly config: OrderEnv,
    metrics: Metrics,
  ) {
    this.lease = new LeaderLease(
      redis,
      { name: TIMEOUT_LEASE, ttlMs: config.ORDER_TIMEOUT_LEASE_MS, advanceFence: () => fences.advance(TIMEOUT_LEASE) },
      logger,
      metrics,
    );
    this.job = new IntervalJob('order-timeout', config.ORDER_TIMEOUT_JOB_INTERVAL_MS, () => this.runOnce().then(() => undefined), logger);
    metrics.gauge('order_overdue_unpaid_orders', 'UNPAID orders past their pay deadline (the timeout backlog)', [], async (g) => {
      g.set(await this.orders.countOverdueUnpaid(new Date()).catch(() => -1));
    });
  }

  onApplicationBootstrap(): void {
    this.lease.start();
    this.job.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.job.stop();
    await this.lease.stop();
  }

  /** One pass over every overdue order, if this instance leads; returns how many it cancelled. */
  async runOnce(): Promise<number> {
    const epoch = this.lease.fencingToken;
    if (epoch === null) {
      return 0;
    }
    let cancelled = 0;
    let cursor: OrderRecord | null = null;
    for (;;) {
      const page = await this.orders.findOverdueUnpaid(new Date(), cursor, PAGE);
      await forEachBounded(page, this.config.ORDER_TIMEOUT_CONCURRENCY, async (order) => {
        cancelled += (await this.expire(order, epoch)) ? 1 : 0;
      });
      if (page.length < PAGE || this.lease.fencingToken !== epoch) {
        return cancelled;
      }
      cursor = page[page.length - 1];
    }
  }

  /** True if this call cancelled the order. */
  async expire(order: OrderRecord, epoch: number): Promise<boolean> {
    try {
      return (await this.cancellation.cancelIfUnpaid(order, 'TIMEOUT', () => this.checkFence(epoch))) === 'CANCELLED';
    } catch (err) {
      if (err instanceof InvalidTransitionError) {
        return false; // paid or cancelled meanwhile: nothing to do
      }
      if (err instanceof FencedOutError) {
        this.logger.warn({ err, orderSn: order.orderSn }, 'timeout job fenced out: another instance leads');
        await this.lease.relinquish();
        return false;
      }
      this.logger.error({ err, orderSn: order.orderSn }, 'order timeout not applied; the next run retries');
      return false;
    }
  }

  private async checkFence(epoch: number): Promise<void> {
    if (!(await this.fences.holds(TIMEOUT_LEASE, epoch))) {
      throw new FencedOutError(epoch);
    }
  }
}
