import 'reflect-metadata';
import { listen } from '@shop/shared/nest';
import { createUserApp } from './create-app';

void (async () => {
  try {
    const { app, config } = await createUserApp();
    await listen(app, config.USER_PORT);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
})();
