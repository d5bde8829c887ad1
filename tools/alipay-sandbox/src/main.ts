/** Process entry point: configuration from the environment, graceful stop on SIGINT/SIGTERM. */
import { ConfigError, loadConfig } from './config';
import { createSandbox } from './sandbox';

async function main(): Promise<void> {
  let cfg;
  try {
    cfg = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const sandbox = createSandbox(cfg);
  const { url } = await sandbox.start();
  console.log(
    `[alipay-sandbox] listening on ${url} (bind ${cfg.host}:${cfg.port}) — gateway ${url}/gateway.do, public URL ${cfg.publicUrl ?? url}, ` +
      `app_id ${cfg.appId}, time scale ${cfg.timeScale}, data ${cfg.dataDir}. SANDBOX ONLY: development keys, no real money.`,
  );
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    console.log(`[alipay-sandbox] ${signal}: stopping`);
    sandbox.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error('[alipay-sandbox] failed to start:', err);
  process.exit(1);
});
