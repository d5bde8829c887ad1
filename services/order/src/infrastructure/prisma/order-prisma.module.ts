import { Global, Module } from '@nestjs/common';
import { PLATFORM_CONFIG } from '@shop/shared/nest';
import { OrderEnv } from '../../config/order-env';
import { OrderPrisma, OrderTx } from './order-prisma.service';

@Global()
@Module({
  providers: [
    {
      provide: OrderPrisma,
      inject: [PLATFORM_CONFIG],
      useFactory: (c: OrderEnv) => new OrderPrisma(c.ORDER_DATABASE_URL, c.DATABASE_POOL_SIZE),
    },
    OrderTx,
  ],
  exports: [OrderPrisma, OrderTx],
})
export class OrderPrismaModule {}
