import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp, loadEnv } from '@shop/shared/nest';
import { UserAppModule } from './app.module';
import { UserEnv } from './config/user-env';

/** Builds the user service from an environment (process.env in production, overrides in tests). */
export async function createUserApp(env: NodeJS.ProcessEnv = process.env): Promise<{ app: NestFastifyApplication; config: UserEnv }> {
  const config = loadEnv(UserEnv, env);
  const app = await createServiceApp(UserAppModule.forRoot(config), {
    title: 'user service',
    description: 'Accounts, login sessions and delivery addresses',
  });
  return { app, config };
}
