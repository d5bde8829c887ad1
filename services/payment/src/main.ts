import 'reflect-metadata';
import { listen } from '@shop/shared/nest';
import { createPaymentApp } from './create-app';

void (async () => {
  try {
    const { app, config } = await createPaymentApp();
    await listen(app, config.PAYMENT_PORT);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
})();
