// Boots real service apps in the test process, each listening on a random port, each with its own
// freshly cloned database, all sharing one Redis key prefix (so sessions work across services).
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { createServer } from 'node:net';
import { openApiDocumentOf } from '@shop/shared/nest';
import {
  createTestDatabase,
  createTestTopics,
  http,
  HttpResult,
  registerContract,
  uniqueName,
  uniqueRedisPrefix,
  unregisterContract,
} from '@shop/shared/testing';
import { createCartApp } from '../../services/cart/src/create-app';
import { createInventoryApp } from '../../services/inventory/src/create-app';
import { createOrderApp } from '../../services/order/src/create-app';
import { createPaymentApp } from '../../services/payment/src/create-app';
import { createUserApp } from '../../services/user/src/create-app';
import { createSandbox, Sandbox } from '../../tools/alipay-sandbox/src/sandbox';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** Start order: a service starts after the ones it calls (inventory and order call each other:
 * ports are allocated up front so every service knows every URL before any starts). */
const ORDER: ServiceName[] = ['inventory', 'user', 'cart', 'payment', 'order'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TestSystem {
  url: Record<ServiceName, string>;
  /** The running Nest apps, for driving jobs (e.g. a sweeper's sweepOnce) directly. */
  apps: Partial<Record<ServiceName, INestApplication>>;
  databaseUrl: Partial<Record<ServiceName, string>>;
  env: NodeJS.ProcessEnv;
  /** The in-process Alipay sandbox, when requested. */
  sandboxUrl?: string;
  stop(): Promise<void>;
}

export interface SystemOptions {
  /** Run the Alipay sandbox too (payment's gateway points at it). */
  sandbox?: { timeScale: number };
}

export async function startSystem(
  services: ServiceName[],
  extraEnv: NodeJS.ProcessEnv = {},
  options: SystemOptions = {},
): Promise<TestSystem> {
  // Private topics (and so private consumer groups): test files never consume each other's events.
  const topics = await createTestTopics(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    APP_ENV: 'development', // the sandbox's keys and app id (a test may override it)
    KAFKA_TOPIC_PREFIX: topics.prefix,
    INTERNAL_TOKEN,
    REDIS_KEY_PREFIX: uniqueRedisPrefix(),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PASSWORD_HASH_COST: '1024',
    ...extraEnv,
  };
  const url = {} as Record<ServiceName, string>;
  const databaseUrl: Partial<Record<ServiceName, string>> = {};
  const apps: INestApplication[] = [];
  const byName: Partial<Record<ServiceName, INestApplication>> = {};
  const drops: Array<() => Promise<void>> = [];
  let sandbox: Sandbox | undefined;
  let sandboxDir: string | undefined;
  const stop = async (): Promise<void> => {
    Object.values(url).forEach(unregisterContract);
    for (const app of apps.reverse()) {
      await app.close();
    }
    await sandbox?.stop();
    if (sandboxDir) {
      rmSync(sandboxDir, { recursive: true, force: true });
    }
    for (const drop of drops) {
      await drop();
    }
    await topics.drop();
  };
  let sandboxUrl: string | undefined;
  if (options.sandbox) {
    sandboxDir = mkdtempSync(join(tmpdir(), 'alipay-sandbox-'));
    sandbox = createSandbox({ timeScale: options.sandbox.timeScale, dataDir: sandboxDir });
    sandboxUrl = (await sandbox.start()).url;
    env.ALIPAY_GATEWAY_URL = `${sandboxUrl}/gateway.do`;
  }
  const selected = ORDER.filter((s) => services.includes(s));
  const ports: Partial<Record<ServiceName, number>> = {};
  for (const name of selected) {
    ports[name] = await freePort();
    url[name] = `http://127.0.0.1:${ports[name]}`;
    if (name === 'payment') {
      env.PAYMENT_PUBLIC_URL = url[name];
    }
    const key = `${name.toUpperCase()}_SERVICE_URL`;
    if (extraEnv[key] === undefined) {
      env[key] = url[name];
    }
  }
  try {
    for (const name of selected) {
      const db = DATABASE[name];
      if (db) {
        const created = await createTestDatabase(db);
        drops.push(created.drop);
        databaseUrl[name] = created.url;
        env[`${db}_DATABASE_URL`] = created.url;
      }
      const { app } = await CREATORS[name](env);
      apps.push(app);
      byName[name] = app;
      await app.listen(ports[name]!, '127.0.0.1');
      // From now on every response http() gets from it is checked against its OpenAPI document.
      registerContract(url[name], name, openApiDocumentOf(app));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, apps: byName, databaseUrl, env, sandboxUrl, stop };
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

export const DEFAULT_ADDRESS = { receiver: 'Li Lei', phone: '+86 138 0000 0000', region: 'Zhejiang Hangzhou', detail: 'No. 1 Wensan Road' };

/** A registered, logged-in buyer with one (default) address. */
export async function buyerWithAddress(userUrl: string): Promise<TestUser & { addressId: number }> {
  const user = await registerAndLogin(userUrl);
  const res = await http('POST', `${userUrl}/users/me/addresses`, { token: user.token, body: DEFAULT_ADDRESS });
  if (res.status !== 201) {
    throw new Error(`address failed: ${res.status} ${res.text}`);
  }
  return { ...user, addressId: res.body.id };
}

/** Confirm (buy-now) then submit, the way a storefront does; returns both raw responses. */
export async function buyNow(
  sys: TestSystem,
  buyer: TestUser & { addressId: number },
  skuId: number,
  quantity: number,
): Promise<{ confirm: HttpResult; submit: HttpResult }> {
  const confirm = await http('GET', `${sys.url.order}/orders/confirm?skuId=${skuId}&quantity=${quantity}`, { token: buyer.token });
  if (confirm.status !== 200) {
    return { confirm, submit: confirm };
  }
  const submit = await http('POST', `${sys.url.order}/orders`, {
    token: buyer.token,
    body: {
      orderToken: confirm.body.orderToken,
      addressId: buyer.addressId,
      items: [{ skuId, quantity }],
      expectedTotal: confirm.body.totalAmount,
    },
  });
  return { confirm, submit };
}
