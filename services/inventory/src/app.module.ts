import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@shop/shared/nest';
import { InventoryEnv } from './config/inventory-env';
import { InventoryPrismaModule } from './infrastructure/prisma/inventory-prisma.module';
import { InventoryPrisma } from './infrastructure/prisma/inventory-prisma.service';
import { SkusModule } from './skus/skus.module';
import { StockLocksModule } from './stock-locks/stock-locks.module';

@Module({})
export class InventoryAppModule {
  static forRoot(config: InventoryEnv): DynamicModule {
    return {
      module: InventoryAppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'inventory',
          config,
          readiness: [InventoryPrisma],
          outbox: { databaseUrl: config.INVENTORY_DATABASE_URL },
        }),
        InventoryPrismaModule,
        SkusModule,
        StockLocksModule,
      ],
    };
  }
}
