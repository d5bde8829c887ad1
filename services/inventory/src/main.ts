import 'reflect-metadata';
import { listen } from '@shop/shared/nest';
import { createInventoryApp } from './create-app';

void (async () => {
  try {
    const { app, config } = await createInventoryApp();
    await listen(app, config.INVENTORY_PORT);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
})();
