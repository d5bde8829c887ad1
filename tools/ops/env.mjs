// One place that knows the services, their ports and databases, and the development defaults.
// Every value can be overridden by an environment variable of the same name (see .env.example).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const DEFAULTS = {
  // The ops scripts (npm start, npm test's jest global setup, migrate, seed) run the system in
  // development mode: the services then accept their development defaults (sandbox Alipay keys,
  // this INTERNAL_TOKEN) and say so loudly at start. Unset, a service runs as production.
  APP_ENV: 'development',
  INTERNAL_TOKEN: 'dev-internal-token-change-me',
  REDIS_URL: 'redis://127.0.0.1:6379',
  KAFKA_BROKERS: '127.0.0.1:9092',
  USER_DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/shop_user',
  INVENTORY_DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/shop_inventory',
  ORDER_DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/shop_order',
  PAYMENT_DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/shop_payment',
};

export const SERVICES = [
  { name: 'user', port: 3001, portEnv: 'USER_PORT', dbEnv: 'USER_DATABASE_URL' },
  { name: 'cart', port: 3002, portEnv: 'CART_PORT', dbEnv: null },
  { name: 'inventory', port: 3003, portEnv: 'INVENTORY_PORT', dbEnv: 'INVENTORY_DATABASE_URL' },
  { name: 'order', port: 3004, portEnv: 'ORDER_PORT', dbEnv: 'ORDER_DATABASE_URL' },
  { name: 'payment', port: 3005, portEnv: 'PAYMENT_PORT', dbEnv: 'PAYMENT_DATABASE_URL' },
];

/** Reads `.env` at the repository root if present (KEY=VALUE lines, `# comments`, as in .env.example). */
function readDotEnv() {
  const file = join(ROOT, '.env');
  if (!existsSync(file)) return {};
  const out = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Z][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    const value = m[2].replace(/(^|\s+)#.*$/, '').replace(/^"(.*)"$/, '$1');
    if (value !== '') out[m[1]] = value; // an empty value means: use the default
  }
  return out;
}

/** process.env over .env over the development defaults. */
export function resolveEnv(base = process.env) {
  const env = { ...DEFAULTS, ...readDotEnv() };
  for (const [k, v] of Object.entries(base)) if (v !== undefined && v !== '') env[k] = v;
  return env;
}

export function servicesWithDatabase(env) {
  return SERVICES.filter((s) => s.dbEnv).map((s) => ({ ...s, databaseUrl: env[s.dbEnv] }));
}

export function migrationsDir(service) {
  return join(ROOT, 'services', service, 'prisma', 'migrations');
}
