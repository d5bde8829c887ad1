import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { createSqlPool, DEFAULT_DATABASE_POOL_SIZE, ReadinessCheck, TransactionHost, withTimeout } from '@shop/shared/nest';
import type { Pool } from 'pg';
import { PrismaClient, Prisma } from '../../generated/prisma/client';

/** The inventory database's Prisma client (driver adapter over `pg`). Only repositories use it. */
@Injectable()
export class InventoryPrisma extends PrismaClient implements ReadinessCheck, OnModuleDestroy {
  readonly name = 'database';

  /** The pool the adapter runs on; `InventoryTx.query` uses it for hot-path statements. */
  readonly pool: Pool;

  constructor(url: string, poolSize = DEFAULT_DATABASE_POOL_SIZE) {
    const pool = createSqlPool(url, poolSize, 'inventory');
    super({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
    this.pool = pool;
  }

  async ping(): Promise<void> {
    await withTimeout(this.$queryRaw`SELECT 1`, 2000, 'database');
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}

@Injectable()
export class InventoryTx extends TransactionHost<Prisma.TransactionClient> {
  constructor(prisma: InventoryPrisma) {
    super(prisma, 3, prisma.pool);
  }
}
