import 'reflect-metadata';
import { listen } from '@shop/shared/nest';
import { createCartApp } from './create-app';

void (async () => {
  try {
    const { app, config } = await createCartApp();
    await listen(app, config.CART_PORT);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
})();
