/** Where the benchmark finds PostgreSQL and Redis: the ops scripts' environment, like every tool. */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface BenchEnv {
  /** Any database URL on the server; the scratch database is created beside it. */
  serverUrl: string;
  redisUrl: string;
}

interface OpsEnvModule {
  resolveEnv(): Record<string, string | undefined>;
}

/** tools/ops/env.mjs knows the defaults and `.env`; dist/ and src/ sit at the same depth. */
export async function loadBenchEnv(): Promise<BenchEnv> {
  const file = path.join(__dirname, '..', '..', 'ops', 'env.mjs');
  const env = ((await import(pathToFileURL(file).href)) as OpsEnvModule).resolveEnv();
  const serverUrl = env.INVENTORY_DATABASE_URL;
  const redisUrl = env.REDIS_URL;
  if (!serverUrl || !redisUrl) {
    throw new Error('INVENTORY_DATABASE_URL and REDIS_URL must be set (tools/ops/env.mjs has the defaults)');
  }
  return { serverUrl, redisUrl };
}
