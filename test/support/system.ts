// Boots real service apps in the test process, each listening on a random port, each with its own
// freshly cloned database, all sharing one Redis key prefix (so sessions work across services).
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { createTestDatabase, http, uniqueName, uniqueRedisPrefix } from '@shop/shared/testing';
import { createCartApp } from '../../services/cart/src/create-app';
import { createInventoryApp } from '../../services/inventory/src/create-app';
import { createOrderApp } from '../../services/order/src/create-app';
import { createPaymentApp } from '../../services/payment/src/create-app';
import { createUserApp } from '../../services/user/src/create-app';

export type ServiceName = 'user' | 'cart' | 'inventory' | 'order' | 'payment';

export const INTERNAL_TOKEN = 'test-internal-token-0123456789';

const CREATORS: Record<ServiceName, (env: NodeJS.ProcessEnv) => Promise<{ app: INestApplication }>> = {
  user: createUserApp,
  cart: createCartApp,
  inventory: createInventoryApp,
  order: createOrderApp,
  payment: createPaymentApp,
};

const DATABASE: Partial<Record<ServiceName, 'USER' | 'INVENTORY' | 'ORDER' | 'PAYMENT'>> = {
  user: 'USER',
  inventory: 'INVENTORY',
  order: 'ORDER',
  payment: 'PAYMENT',
};

/** Start order: a service starts after the ones it calls. */
const ORDER: ServiceName[] = ['inventory', 'user', 'cart', 'payment', 'order'];

export interface TestSystem {
  url: Record<ServiceName, string>;
  databaseUrl: Partial<Record<ServiceName, string>>;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startSystem(services: ServiceName[], extraEnv: NodeJS.ProcessEnv = {}): Promise<TestSystem> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    INTERNAL_TOKEN,
    REDIS_KEY_PREFIX: uniqueRedisPrefix(),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PASSWORD_HASH_COST: '1024',
    ...extraEnv,
  };
  const url = {} as Record<ServiceName, string>;
  const databaseUrl: Partial<Record<ServiceName, string>> = {};
  const apps: INestApplication[] = [];
  const drops: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    for (const app of apps.reverse()) {
      await app.close();
    }
    for (const drop of drops) {
      await drop();
    }
  };
  try {
    for (const name of ORDER.filter((s) => services.includes(s))) {
      const db = DATABASE[name];
      if (db) {
        const created = await createTestDatabase(db);
        drops.push(created.drop);
        databaseUrl[name] = created.url;
        env[`${db}_DATABASE_URL`] = created.url;
      }
      const { app } = await CREATORS[name](env);
      apps.push(app);
      await app.listen(0, '127.0.0.1');
      url[name] = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      env[`${name.toUpperCase()}_SERVICE_URL`] = url[name];
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, databaseUrl, env, stop };
}

export interface TestUser {
  id: number;
  username: string;
  token: string;
}

/** Registers and logs in a fresh user through the user service's public API. */
export async function registerAndLogin(userUrl: string, username = uniqueName()): Promise<TestUser> {
  const password = 'password-123';
  const reg = await http('POST', `${userUrl}/auth/register`, { body: { username, password } });
  if (reg.status !== 201) {
    throw new Error(`register failed: ${reg.status} ${reg.text}`);
  }
  const login = await http('POST', `${userUrl}/auth/login`, { body: { username, password } });
  if (login.status !== 200) {
    throw new Error(`login failed: ${login.status} ${login.text}`);
  }
  return { id: login.body.user.id, username, token: login.body.token };
}

/** Creates a SKU through inventory's admin API. */
export async function createSku(
  inventoryUrl: string,
  sku: { title?: string; price?: number; stock?: number; spuId?: number },
): Promise<{ id: number; price: number; stock: number; lockedStock: number; available: number; title: string }> {
  const res = await http('POST', `${inventoryUrl}/admin/skus`, {
    body: {
      title: sku.title ?? uniqueName('sku'),
      price: sku.price ?? 1000,
      stock: sku.stock ?? 100,
      ...(sku.spuId ? { spuId: sku.spuId } : {}),
    },
    headers: { 'x-internal-token': INTERNAL_TOKEN },
  });
  if (res.status !== 201) {
    throw new Error(`create SKU failed: ${res.status} ${res.text}`);
  }
  return res.body;
}
