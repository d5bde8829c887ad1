import { Global, Module } from '@nestjs/common';
import { PLATFORM_CONFIG } from '@shop/shared/nest';
import { InventoryEnv } from '../../config/inventory-env';
import { InventoryPrisma, InventoryTx } from './inventory-prisma.service';

@Global()
@Module({
  providers: [
    {
      provide: InventoryPrisma,
      inject: [PLATFORM_CONFIG],
      useFactory: (c: InventoryEnv) => new InventoryPrisma(c.INVENTORY_DATABASE_URL, c.DATABASE_POOL_SIZE),
    },
    InventoryTx,
  ],
  exports: [InventoryPrisma, InventoryTx],
})
export class InventoryPrismaModule {}
