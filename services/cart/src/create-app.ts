import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp, loadEnv } from '@shop/shared/nest';
import { CartAppModule } from './app.module';
import { CartEnv } from './config/cart-env';

/** Builds the cart service from an environment (process.env in production, overrides in tests). */
export async function createCartApp(env: NodeJS.ProcessEnv = process.env): Promise<{ app: NestFastifyApplication; config: CartEnv }> {
  const config = loadEnv(CartEnv, env);
  const app = await createServiceApp(CartAppModule.forRoot(config), {
    title: 'cart service',
    description: 'Shopping carts (Redis hashes, atomic Lua updates)',
  });
  return { app, config };
}
