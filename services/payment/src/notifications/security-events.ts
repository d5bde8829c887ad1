import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, Metrics } from '@shop/shared/nest';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';

/**
 * A notification we refused (bad signature, another app's, wrong amount, unknown trade…) may be
 * an attack: it is logged as a security event and counted, never silently dropped.
 */
@Injectable()
export class SecurityEvents {
  private readonly rejected: Counter<'reason'>;

  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.rejected = new Counter({
      name: 'payment_notifications_rejected_total',
      help: 'Alipay notifications refused, by reason',
      labelNames: ['reason'],
      registers: [metrics.registry],
    });
  }

  notificationRejected(reason: string, params: Record<string, unknown>): void {
    this.rejected.inc({ reason: reason.split(' ')[0] });
    const { sign: _sign, ...visible } = params;
    this.logger.warn({ securityEvent: 'ALIPAY_NOTIFICATION_REJECTED', reason, params: visible }, 'rejected an Alipay notification');
  }
}
