// What the e2e files do to and read from a running ProcessSystem: buy, pay in the sandbox, read
// the service databases (read-only, as an auditor would), re-publish events, check consistency.
import { createShopClient, ShopClient, ShopClientOptions } from '@shop/client';
import { checkedFetch, http, HttpResult, pollUntil } from '@shop/shared/testing';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { buyerWithAddress, createSku, INTERNAL_TOKEN, TestUser } from '../../support/system';
import { expectConsistent } from './consistency';
import { ProcessSystem } from './processes';

export type Buyer = TestUser & { addressId: number };
export type Db = 'inventory' | 'order' | 'payment';
export type Sku = Awaited<ReturnType<typeof createSku>>;

/** A small pg pool per event-writing service database (tests read concurrently). */
export class Databases {
  private constructor(readonly db: Record<Db, Pool>) {}

  static async connect(sys: ProcessSystem): Promise<Databases> {
    const db = {} as Record<Db, Pool>;
    for (const name of ['inventory', 'order', 'payment'] as const) {
      db[name] = new Pool({ connectionString: sys.databaseUrl[name], max: 4 });
      db[name].on('error', () => undefined); // an idle client dropped at teardown is not a test failure
      await db[name].query('SELECT 1');
    }
    return new Databases(db);
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.db).map((c) => c.end()));
  }

  query<T extends Record<string, any> = any>(db: Db, sql: string, params: unknown[] = []): Promise<T[]> {
    return this.db[db].query<T>(sql, params).then((r) => r.rows);
  }

  async lockStatuses(orderSn: string): Promise<string[]> {
    const rows = await this.query('inventory', 'SELECT status FROM stock_locks WHERE order_sn = $1 ORDER BY sku_id', [orderSn]);
    return rows.map((r) => r.status as string);
  }

  async sku(id: number): Promise<{ stock: number; lockedStock: number }> {
    const [row] = await this.query('inventory', 'SELECT stock, locked_stock FROM skus WHERE id = $1', [id]);
    return { stock: row.stock, lockedStock: row.locked_stock };
  }

  async order(orderSn: string): Promise<{ status: string; cancelReason: string | null } | undefined> {
    const [row] = await this.query('order', 'SELECT status, cancel_reason FROM orders WHERE order_sn = $1', [orderSn]);
    return row && { status: row.status, cancelReason: row.cancel_reason };
  }

  async paymentStatus(orderSn: string): Promise<string | undefined> {
    const [row] = await this.query('payment', 'SELECT status FROM payments WHERE order_sn = $1', [orderSn]);
    return row?.status;
  }

  /** The event types of one order in a service's outbox, in outbox order. */
  async outboxTypes(db: Db, orderSn: string): Promise<string[]> {
    const rows = await this.query(db, 'SELECT type FROM outbox_events WHERE message_key = $1 ORDER BY id', [orderSn]);
    return rows.map((r) => r.type as string);
  }

  async eventId(db: Db, orderSn: string, type: string): Promise<string> {
    const rows = await this.query(db, 'SELECT event_id FROM outbox_events WHERE message_key = $1 AND type = $2', [orderSn, type]);
    if (rows.length !== 1) {
      throw new Error(`expected one ${type} for ${orderSn} in ${db}'s outbox, found ${rows.length}`);
    }
    return rows[0].event_id;
  }

  async unpublished(db: Db): Promise<Array<{ type: string; key: string }>> {
    const rows = await this.query(db, 'SELECT type, message_key FROM outbox_events WHERE published_at IS NULL ORDER BY id');
    return rows.map((r) => ({ type: r.type, key: r.message_key }));
  }

  async allPublished(): Promise<boolean> {
    for (const db of ['inventory', 'order', 'payment'] as const) {
      if ((await this.unpublished(db)).length > 0) {
        return false;
      }
    }
    return true;
  }

  async inboxHas(db: Db, consumer: string, eventId: string): Promise<number> {
    const rows = await this.query(db, 'SELECT 1 FROM inbox_events WHERE consumer = $1 AND event_id = $2::uuid', [consumer, eventId]);
    return rows.length;
  }
}

/** The consistency checker over the whole system, polled until clean (fails listing the violations). */
export function consistent(sys: ProcessSystem, timeoutMs = 30000): Promise<void> {
  return expectConsistent({
    inventoryDatabaseUrl: sys.databaseUrl.inventory,
    orderDatabaseUrl: sys.databaseUrl.order,
    paymentDatabaseUrl: sys.databaseUrl.payment,
    sandboxUrl: sys.sandboxUrl,
    kafka: { brokers: process.env.KAFKA_BROKERS!, topicPrefix: sys.topicPrefix },
    redis: { url: process.env.REDIS_URL!, keyPrefix: sys.redisPrefix },
    timeoutMs,
  });
}

export function expectStatus(res: HttpResult, status: number, what: string): void {
  if (res.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${res.status} ${res.text}`);
  }
}

/**
 * The typed storefront client (packages/client) against this system, signed in as `buyer` when
 * given; every answer is contract-checked against the service's OpenAPI document.
 */
export function shopClient(sys: Pick<ProcessSystem, 'url'>, buyer?: { token: string }): ShopClient {
  return createShopClient({ urls: sys.url, token: buyer?.token, internalToken: INTERNAL_TOKEN, fetch: checkedFetch });
}

/** A buyer who bought `quantity` of a SKU (buy now) through the order instance at `orderUrl`. */
export async function placeOrder(
  sys: ProcessSystem,
  opts: { sku?: Sku; buyer?: Buyer; quantity?: number; orderUrl?: string } = {},
): Promise<{ buyer: Buyer; sku: Sku; orderSn: string; payDeadline: string }> {
  const buyer = opts.buyer ?? (await buyerWithAddress(sys.url.user));
  const sku = opts.sku ?? (await createSku(sys.url.inventory, { price: 1000, stock: 100 }));
  const quantity = opts.quantity ?? 1;
  const shop = shopClient({ url: { ...sys.url, order: opts.orderUrl ?? sys.url.order } }, buyer);
  const confirm = await shop.order.GET('/orders/confirm', { params: { query: { skuId: sku.id, quantity } } });
  if (!confirm.data) {
    throw new Error(`confirm: ${confirm.response.status} ${JSON.stringify(confirm.error)}`);
  }
  const submit = await shop.order.POST('/orders', {
    body: {
      orderToken: confirm.data.orderToken,
      addressId: buyer.addressId,
      items: [{ skuId: sku.id, quantity }],
      expectedTotal: confirm.data.totalAmount,
    },
  });
  if (!submit.data) {
    throw new Error(`submit order: expected 201, got ${submit.response.status} ${JSON.stringify(submit.error)}`);
  }
  return { buyer, sku, orderSn: submit.data.orderSn, payDeadline: submit.data.payDeadline };
}

/** POST /payments, then (unless `open` is false) the buyer opens the cashier, which creates the trade. */
export async function startPayment(
  paymentUrl: string,
  buyer: Buyer,
  orderSn: string,
  open = true,
): Promise<{ payUrl: string; amount: number }> {
  // Only the payment client is used: the other services' URLs are not needed here.
  const urls = { payment: paymentUrl } as ShopClientOptions['urls'];
  const res = await createShopClient({ urls, token: buyer.token, fetch: checkedFetch }).payment.POST('/payments', { body: { orderSn } });
  if (res.response.status !== 201 || !res.data?.payUrl) {
    throw new Error(`POST /payments ${orderSn}: expected 201, got ${res.response.status} ${JSON.stringify(res.error)}`);
  }
  if (open) {
    const cashier = await fetch(res.data.payUrl);
    if (cashier.status !== 200) {
      throw new Error(`cashier for ${orderSn}: ${cashier.status} ${await cashier.text()}`);
    }
  }
  return { payUrl: res.data.payUrl, amount: res.data.amount };
}

/** The buyer pays in the sandbox (which then notifies the payment service). */
export async function payInSandbox(sys: ProcessSystem, orderSn: string, force = false): Promise<void> {
  const res = await http('POST', `${sys.sandboxUrl}/sandbox/trades/${orderSn}/pay`, force ? { body: { force: true } } : {});
  expectStatus(res, 200, `sandbox pay ${orderSn}`);
}

export async function cancelOrder(orderUrl: string, buyer: Buyer, orderSn: string): Promise<HttpResult> {
  return http('POST', `${orderUrl}/orders/${orderSn}/cancel`, { token: buyer.token });
}

export function waitFor<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 20000): Promise<T> {
  return pollUntil(check, { what, timeoutMs, intervalMs: 100 });
}

export const orderIs = (dbs: Databases, orderSn: string, status: string, timeoutMs = 20000) =>
  waitFor(`order ${orderSn} ${status}`, async () => (await dbs.order(orderSn))?.status === status, timeoutMs);

export const locksAre = (dbs: Databases, orderSn: string, status: string, timeoutMs = 20000) =>
  waitFor(
    `locks of ${orderSn} all ${status}`,
    async () => {
      const s = await dbs.lockStatuses(orderSn);
      return s.length > 0 && s.every((x) => x === status);
    },
    timeoutMs,
  );

function kafka(): Kafka {
  return new Kafka({ clientId: 'e2e-test', brokers: process.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
}

/** Produces messages the way the outbox relay does (key = orderSn, value = the envelope JSON, event headers). */
export async function produce(
  topicPrefix: string,
  messages: Array<{ topic: string; key: string; envelope: unknown; eventId: string; type: string }>,
): Promise<void> {
  const producer = kafka().producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (const m of messages) {
      await producer.send({
        topic: m.topic.startsWith(topicPrefix) ? m.topic : `${topicPrefix}${m.topic}`,
        acks: -1,
        messages: [{ key: m.key, value: JSON.stringify(m.envelope), headers: { 'event-id': m.eventId, 'event-type': m.type } }],
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/** The contract's consumers (SPEC §8) and the topics each reads. */
export const CONSUMER_TOPICS: Record<string, string[]> = {
  'inventory.stock': ['order.events'],
  'order.payments': ['payment.events'],
  'payment.refunds': ['order.events'],
  'cart.ordered-items': ['order.events'],
};

/**
 * True once every consumer group of this system (group id = prefix + consumer name) has committed
 * offsets up to the high watermark of every partition it reads: everything published so far has
 * been handled. A consumer whose group does not exist (yet) is not waited for.
 */
export async function consumersIdle(topicPrefix: string): Promise<boolean> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const existing = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
    const groups = Object.entries(CONSUMER_TOPICS).filter(([name]) => existing.has(`${topicPrefix}${name}`));
    if (groups.length === 0) {
      return false;
    }
    for (const [name, topics] of groups) {
      const prefixed = topics.map((t) => `${topicPrefix}${t}`);
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId: `${topicPrefix}${name}`, topics: prefixed })) {
        const high = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
        if (partitions.some((p) => Math.max(Number(p.offset), 0) < (high.get(p.partition) ?? 0))) {
          return false;
        }
      }
    }
    return true;
  } finally {
    await admin.disconnect();
  }
}

/** Waits until every outbox row is published and every consumer has caught up with it. */
export async function settled(sys: ProcessSystem, dbs: Databases, timeoutMs = 30000): Promise<void> {
  await waitFor('every outbox row published', () => dbs.allPublished(), timeoutMs);
  await waitFor('every consumer caught up', () => consumersIdle(sys.topicPrefix), timeoutMs);
}

/**
 * Reads `topics` from the beginning in a throw-away group until `done(messages)` holds. Messages
 * come per partition in offset order (one orderSn = one partition).
 */
export async function consumeFromBeginning(
  topics: string[],
  done: (messages: Array<{ topic: string; partition: number; offset: string; key: string; eventId: string }>) => boolean,
  timeoutMs = 60000,
): Promise<Array<{ topic: string; partition: number; offset: string; key: string; eventId: string }>> {
  const k = kafka();
  const groupId = `e2e-reader-${Math.random().toString(36).slice(2)}`;
  const consumer = k.consumer({ groupId });
  const seen: Array<{ topic: string; partition: number; offset: string; key: string; eventId: string }> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const envelope = JSON.parse(message.value?.toString() ?? '{}') as { eventId?: string };
        seen.push({ topic, partition, offset: message.offset, key: message.key?.toString() ?? '', eventId: envelope.eventId ?? '' });
      },
    });
    await waitFor(`messages of ${topics.join(', ')}`, async () => done(seen), timeoutMs);
    return seen;
  } finally {
    await consumer.disconnect();
    const admin = k.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
