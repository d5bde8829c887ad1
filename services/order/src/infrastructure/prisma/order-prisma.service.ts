import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { DEFAULT_DATABASE_POOL_SIZE, ReadinessCheck, TransactionHost, withTimeout } from '@shop/shared/nest';
import { PrismaClient, Prisma } from '../../generated/prisma/client';

/** The order database's Prisma client (driver adapter over `pg`). Only repositories use it. */
@Injectable()
export class OrderPrisma extends PrismaClient implements ReadinessCheck, OnModuleDestroy {
  readonly name = 'database';

  constructor(url: string, poolSize = DEFAULT_DATABASE_POOL_SIZE) {
    super({ adapter: new PrismaPg({ connectionString: url, max: poolSize }) });
  }

  async ping(): Promise<void> {
    await withTimeout(this.$queryRaw`SELECT 1`, 2000, 'database');
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}

@Injectable()
export class OrderTx extends TransactionHost<Prisma.TransactionClient> {
  constructor(prisma: OrderPrisma) {
    super(prisma);
  }
}
