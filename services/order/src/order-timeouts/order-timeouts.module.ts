import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { LeaderFenceRepository } from './leader-fence.repository';
import { OrderTimeoutJob } from './order-timeout.job';

/** The leader-elected pay-timeout job and its fencing tokens. */
@Module({
  imports: [OrdersModule],
  providers: [LeaderFenceRepository, OrderTimeoutJob],
  exports: [OrderTimeoutJob, LeaderFenceRepository],
})
export class OrderTimeoutsModule {}
