import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@shop/shared/nest';
import { OrderEnv } from './config/order-env';
import { OrderPrismaModule } from './infrastructure/prisma/order-prisma.module';
import { OrderPrisma } from './infrastructure/prisma/order-prisma.service';
import { OrdersModule } from './orders/orders.module';
import { OrderTimeoutsModule } from './order-timeouts/order-timeouts.module';

@Module({})
export class OrderAppModule {
  static forRoot(config: OrderEnv): DynamicModule {
    return {
      module: OrderAppModule,
      imports: [PlatformModule.forRoot({ service: 'order', config, readiness: [OrderPrisma], outbox: { databaseUrl: config.ORDER_DATABASE_URL } }), OrderPrismaModule, OrdersModule, OrderTimeoutsModule],
    };
  }
}
