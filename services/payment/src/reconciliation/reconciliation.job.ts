import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { IntervalJob, LOGGER, PLATFORM_CONFIG } from '@shop/shared/nest';
import type { Logger } from 'pino';
import { PaymentEnv } from '../config/payment-env';
import { PaymentRecord, PaymentRepository } from '../payments/payment.repository';
import { TradeReconciler } from './trade-reconciler';

const BATCH = 50;

/**
 * Every PAYMENT_RECONCILE_INTERVAL_MS: PENDING payments older than PAYMENT_RECONCILE_AFTER_SECONDS
 * are queried at Alipay, and so are CLOSED payments whose trade Alipay never saw until that trade
 * can no longer be paid. Safe on several instances at once: what it applies is idempotent.
 */
@Injectable()
export class ReconciliationJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly job: IntervalJob;
  private cursor = '';
  /** Keyset cursor over CLOSED payments whose trade could still be paid (see payment-close.service.ts). */
  private watchCursor = '';

  constructor(
    private readonly payments: PaymentRepository,
    private readonly reconciler: TradeReconciler,
    @Inject(PLATFORM_CONFIG) private readonly config: PaymentEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.job = new IntervalJob('payment-reconciliation', config.PAYMENT_RECONCILE_INTERVAL_MS, () => this.reconcileDue(), logger);
  }

  onApplicationBootstrap(): void {
    this.job.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }

  /** One pass now (tests drive it directly). */
  runOnce(): Promise<void> {
    return this.job.runOnce();
  }

  private async reconcileDue(): Promise<void> {
    const olderThan = new Date(Date.now() - this.config.PAYMENT_RECONCILE_AFTER_SECONDS * 1000);
    const due = await this.payments.pendingOlderThan(olderThan, this.cursor, BATCH);
    // Next pass continues after this page; a short page means the end: start over.
    this.cursor = due.length === BATCH ? due[due.length - 1].orderSn : '';
    await this.reconcileEach(due);
    const watched = await this.payments.closedWatched(new Date(), this.watchCursor, BATCH);
    this.watchCursor = watched.length === BATCH ? watched[watched.length - 1].orderSn : '';
    await this.reconcileEach(watched);
  }

  private async reconcileEach(payments: PaymentRecord[]): Promise<void> {
    for (const payment of payments) {
      try {
        const outcome = await this.reconciler.reconcile(payment);
        if (outcome === 'APPLIED') {
          this.logger.warn({ orderSn: payment.orderSn, was: payment.status }, 'reconciliation applied a trade state whose notification never arrived');
        }
      } catch (err) {
        this.logger.warn({ err, orderSn: payment.orderSn }, 'reconciliation of a payment failed; next pass retries');
      }
    }
  }
}
