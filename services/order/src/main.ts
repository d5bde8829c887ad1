import 'reflect-metadata';
import { listen } from '@shop/shared/nest';
import { createOrderApp } from './create-app';

void (async () => {
  try {
    const { app, config } = await createOrderApp();
    await listen(app, config.ORDER_PORT);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
})();
