import { Inject, Injectable } from '@nestjs/common';
import { createEvent } from '@shop/shared';
import { eventMeta, LOGGER } from '@shop/shared/nest';
import type { Logger } from 'pino';
import { ServiceClients } from '../clients/service-clients';
import { CancelReason } from '../generated/prisma/client';
import { OrderRecord } from './order-response';
import { InvalidTransitionError } from './order-state';
import { OrderStateMachine } from './order-state-machine';

export type CancelOutcome = 'CANCELLED' | 'PAID_AT_PAYMENT';

/**
 * Cancelling an UNPAID order — by its buyer or by the timeout job, the same way: close the trade
 * at the payment side FIRST. If the payment side says the buyer already paid, the order is left
 * for the payment event to mark PAID; cancelling it now would strand the money.
 */
@Injectable()
export class OrderCancellationService {
  constructor(
    private readonly clients: ServiceClients,
    private readonly stateMachine: OrderStateMachine,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** `fence`: the timeout job's check that it is still the leader, run inside the cancel's transaction. */
  async cancelIfUnpaid(order: OrderRecord, reason: CancelReason, fence?: () => Promise<void>): Promise<CancelOutcome> {
    if (order.status !== 'UNPAID') {
      throw new InvalidTransitionError(order.orderSn, order.status, 'CANCELLED');
    }
    if ((await this.clients.closeTrade(order.orderSn)) === 'PAID') {
      return 'PAID_AT_PAYMENT';
    }
    const items = order.items.map(({ skuId, quantity }) => ({ skuId, quantity }));
    const event = createEvent(
      'OrderCancelled',
      order.orderSn,
      { orderSn: order.orderSn, userId: order.userId, reason, items },
      eventMeta(),
    );
    const patch = { cancelReason: reason, cancelledAt: new Date() };
    await this.stateMachine.transition(order.orderSn, 'UNPAID', 'CANCELLED', patch, event, fence);
    // Give the stock back now; OrderCancelled (and, failing both, the lock sweeper) cover a failure here.
    await this.clients.releaseStock(order.orderSn).catch((err: unknown) => {
      this.logger.warn({ orderSn: order.orderSn, err }, 'stock release after cancel failed; the sweeper will retry');
    });
    return 'CANCELLED';
  }
}
