/** The tools' configuration, from the environment, as the ops scripts resolve it. */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ToolEnv {
  inventoryDatabaseUrl: string;
  orderDatabaseUrl: string;
  paymentDatabaseUrl: string;
  kafkaBrokers: string;
  kafkaTopicPrefix: string;
  redisUrl: string;
  redisKeyPrefix: string;
  sandboxUrl: string;
  /** The services' base URLs and the internal token (the load tool drives them). */
  serviceUrls: Record<'user' | 'cart' | 'inventory' | 'order' | 'payment', string>;
  internalToken: string;
}

const SANDBOX_DEFAULT = 'http://127.0.0.1:3100';

interface OpsEnvModule {
  resolveEnv(): Record<string, string | undefined>;
}

/**
 * tools/ops/env.mjs is the one place that knows the development defaults and reads `.env`; going
 * through it means the checker looks at exactly the databases `npm start` uses. (dist/ and src/
 * sit at the same depth, so the relative path holds for both.)
 */
export async function loadEnv(): Promise<ToolEnv> {
  const file = path.join(__dirname, '..', '..', 'ops', 'env.mjs');
  let env: Record<string, string | undefined>;
  try {
    env = ((await import(pathToFileURL(file).href)) as OpsEnvModule).resolveEnv();
  } catch (err) {
    throw new Error(`cannot load ${file}: ${(err as Error).message}`);
  }
  const required = (name: string): string => {
    const v = env[name];
    if (!v) {
      throw new Error(`${name} is not set`);
    }
    return v;
  };
  return {
    inventoryDatabaseUrl: required('INVENTORY_DATABASE_URL'),
    orderDatabaseUrl: required('ORDER_DATABASE_URL'),
    paymentDatabaseUrl: required('PAYMENT_DATABASE_URL'),
    kafkaBrokers: required('KAFKA_BROKERS'),
    kafkaTopicPrefix: env.KAFKA_TOPIC_PREFIX ?? '',
    redisUrl: required('REDIS_URL'),
    redisKeyPrefix: env.REDIS_KEY_PREFIX ?? '',
    // As the sandbox itself defaults it: http://127.0.0.1:$SANDBOX_PORT.
    sandboxUrl: env.SANDBOX_PUBLIC_URL ?? (env.SANDBOX_PORT ? `http://127.0.0.1:${env.SANDBOX_PORT}` : SANDBOX_DEFAULT),
    serviceUrls: {
      user: env.USER_SERVICE_URL ?? 'http://127.0.0.1:3001',
      cart: env.CART_SERVICE_URL ?? 'http://127.0.0.1:3002',
      inventory: env.INVENTORY_SERVICE_URL ?? 'http://127.0.0.1:3003',
      order: env.ORDER_SERVICE_URL ?? 'http://127.0.0.1:3004',
      payment: env.PAYMENT_SERVICE_URL ?? 'http://127.0.0.1:3005',
    },
    internalToken: required('INTERNAL_TOKEN'),
  };
}
