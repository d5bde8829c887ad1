import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp, loadEnv } from '@shop/shared/nest';
import { PaymentAppModule } from './app.module';
import { PaymentEnv } from './config/payment-env';

/** Builds the payment service from an environment (process.env in production, overrides in tests). */
export async function createPaymentApp(env: NodeJS.ProcessEnv = process.env): Promise<{ app: NestFastifyApplication; config: PaymentEnv }> {
  const config = loadEnv(PaymentEnv, env);
  const app = await createServiceApp(PaymentAppModule.forRoot(config), {
    title: 'payment service',
    description: 'Payments through Alipay, notifications, refunds and reconciliation',
    // The notify webhook answers `failure` in plain text even for a body that cannot be parsed.
    plainTextErrorPaths: ['/payments/alipay/notify'],
  });
  return { app, config };
}
