import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp, loadEnv } from '@shop/shared/nest';
import { OrderAppModule } from './app.module';
import { OrderEnv } from './config/order-env';

/** Builds the order service from an environment (process.env in production, overrides in tests). */
export async function createOrderApp(env: NodeJS.ProcessEnv = process.env): Promise<{ app: NestFastifyApplication; config: OrderEnv }> {
  const config = loadEnv(OrderEnv, env);
  const app = await createServiceApp(OrderAppModule.forRoot(config), {
    title: 'order service',
    description: 'Orders, order tokens and the pay-timeout job',
  });
  return { app, config };
}
