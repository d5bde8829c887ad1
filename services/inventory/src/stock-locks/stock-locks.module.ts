import { Module } from '@nestjs/common';
import { OrderClient } from '../infrastructure/order.client';
import { OutboxWriter } from '../infrastructure/outbox/outbox.writer';
import { StockLockRepository } from './stock-lock.repository';
import { StockLockService } from './stock-lock.service';
import { StockLockSweeper } from './stock-lock-sweeper';
import { StockLocksController } from './stock-locks.controller';
import { OrderEventsConsumer } from './order-events.consumer';
import { SkusModule } from '../skus/skus.module';

@Module({
  imports: [SkusModule],
  controllers: [StockLocksController],
  providers: [StockLockService, StockLockRepository, StockLockSweeper, OrderClient, OutboxWriter, OrderEventsConsumer],
  exports: [StockLockService, StockLockSweeper],
})
export class StockLocksModule {}
