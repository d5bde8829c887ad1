import { Inject, Injectable } from '@nestjs/common';
import { LockService, PLATFORM_CONFIG } from '@shop/shared/nest';
import { PaymentEnv } from '../config/payment-env';

/**
 * Redlock per orderSn, switchable off (PAYMENT_REDLOCK_ENABLED=false) so tests can prove that
 * correctness never depended on it: a lock can expire under a paused holder (GC, a slow query),
 * after which two holders run at once. What keeps the result right is below it — conditional
 * UPDATEs on the payment's status and unique keys (payment per order, notify_id).
 */
@Injectable()
export class PaymentLocks {
  constructor(
    private readonly locks: LockService,
    @Inject(PLATFORM_CONFIG) private readonly config: PaymentEnv,
  ) {}

  async run<T>(orderSn: string, fn: () => Promise<T>, waitMs: number): Promise<{ busy: true } | { busy: false; value: T }> {
    if (!this.config.PAYMENT_REDLOCK_ENABLED) {
      return { busy: false, value: await fn() };
    }
    return this.locks.tryWithLock(`payment:${orderSn}`, 15000, fn, waitMs);
  }
}
