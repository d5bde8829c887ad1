import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp, loadEnv } from '@shop/shared/nest';
import { InventoryAppModule } from './app.module';
import { InventoryEnv } from './config/inventory-env';
import { documentStockLocks } from './docs/stock-locks.openapi';

/** Builds the inventory service from an environment (process.env in production, overrides in tests). */
export async function createInventoryApp(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ app: NestFastifyApplication; config: InventoryEnv }> {
  const config = loadEnv(InventoryEnv, env);
  documentStockLocks();
  const app = await createServiceApp(InventoryAppModule.forRoot(config), {
    title: 'inventory service',
    description: 'SKU catalog, prices, stock and stock locks',
  });
  return { app, config };
}
