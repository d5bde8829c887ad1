import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DomainEvent, TOPICS } from '@shop/shared';
import { EventConsumer, EventConsumerFactory, HandlerOutcome, LOGGER, Metrics, TransactionalInbox } from '@shop/shared/nest';
import type { Logger } from 'pino';
import { InventoryTx } from '../infrastructure/prisma/inventory-prisma.service';
import { LockTransition, Settlement, StockLockService } from './stock-lock.service';

/**
 * order.events → stock (consumer `inventory.stock`): OrderPaid deducts the order's locks,
 * OrderCancelled releases them, each in one transaction with the inbox row.
 * A deduct that finds the locks released (or missing) means units were sold that the shelf got
 * back: an ALARM — logged as an error, counted, and reported by the consistency checker; never a
 * silent success, and never a retry loop (retrying cannot make released stock deductible).
 */
@Injectable()
export class OrderEventsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly consumer: EventConsumer;
  private readonly alarms;

  constructor(
    factory: EventConsumerFactory,
    tx: InventoryTx,
    private readonly stock: StockLockService,
    @Inject(LOGGER) private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.alarms = metrics.counter('stock_settle_alarms_total', 'Stock transitions that found locks in an impossible state', ['transition']);
    this.consumer = factory.create({
      name: 'inventory.stock',
      topics: [TOPICS.order],
      inbox: new TransactionalInbox(tx),
      handlers: {
        OrderPaid: (e) => this.settle('deduct', e, 'DEDUCTED'),
        OrderCancelled: (e) => this.settle('release', e, 'RELEASED'),
      },
    });
  }

  onApplicationBootstrap(): void {
    this.consumer.startInBackground();
  }

  onModuleDestroy(): Promise<void> {
    return this.consumer.stop();
  }

  private async settle(kind: LockTransition, event: DomainEvent<'OrderPaid' | 'OrderCancelled'>, wanted: string): Promise<HandlerOutcome> {
    const { orderSn } = event.payload;
    const result = await this.stock.settle(kind, orderSn);
    if (kind === 'release' && result.kind === 'NO_LOCKS') {
      return 'IGNORED'; // an order cancelled before its locks existed has nothing to give back
    }
    if (result.kind === 'NO_LOCKS' || result.locks.some((l) => l.status !== wanted)) {
      this.alarm(kind, event, result);
      return 'ALARM';
    }
    return result.kind === 'MOVED' ? 'APPLIED' : 'IGNORED';
  }

  private alarm(kind: LockTransition, event: DomainEvent, result: Settlement): void {
    this.alarms.inc({ transition: kind });
    const locks = result.kind === 'NO_LOCKS' ? [] : result.locks;
    this.logger.error(
      { alarm: 'stock-settle', transition: kind, eventId: event.eventId, orderSn: event.aggregateId, locks },
      `${event.type} found the order's stock locks not LOCKED: stock and order disagree`,
    );
  }
}
