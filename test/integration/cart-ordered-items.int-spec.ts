import { createRedis } from '../../packages/shared/src/nest/redis/redis.factory';
import { uniqueRedisPrefix } from '@shop/shared/testing';
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { CartRepository } from '../../services/cart/src/cart/cart.repository';

/**
 * OrderCreated takes the ordered SKUs out of the cart once, on the real Redis, and keeps what the
 * buyer did after the order was placed (the event often arrives after the buyer's next click).
 */
describe('cart: ordered items leave the cart once (Lua inbox + change)', () => {
  let redis: Redis;
  let carts: CartRepository;
  beforeAll(() => {
    redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', uniqueRedisPrefix());
    carts = new CartRepository(redis);
  });
  afterAll(() => redis.quit());

  /** An instant strictly after everything done so far (the clock's next millisecond). */
  const now = (): string => {
    const t = Date.now();
    while (Date.now() <= t) {
      // spin to the next millisecond: a clock condition, not a sleep
    }
    return new Date().toISOString();
  };
  const quantities = async (userId: number) => Object.fromEntries((await carts.items(userId)).map((i) => [i.skuId, i.quantity]));

  it('removes what was ordered and keeps what the buyer did after the order; a redelivery changes nothing', async () => {
    const userId = 1;
    for (const sku of [1, 2, 3, 4]) {
      await carts.add(userId, sku, 2);
    }
    const orderedAt = now();
    now(); // what follows happens strictly after the order
    await carts.add(userId, 2, 3); // units added to an ordered item after the order
    await carts.update(userId, 3, { quantity: 7 }); // quantity set after the order
    await carts.add(userId, 5, 1); // a new item after the order
    const eventId = randomUUID();
    const lines = [1, 2, 3, 5].map((skuId) => ({ skuId, quantity: 2 }));
    expect(await carts.removeOrderedOnce('cart.ordered-items', eventId, userId, orderedAt, lines)).toBe(2);
    expect(await quantities(userId)).toEqual({ 2: 3, 3: 7, 4: 2, 5: 1 });

    await carts.add(userId, 1, 1); // bought again
    expect(await carts.removeOrderedOnce('cart.ordered-items', eventId, userId, orderedAt, lines)).toBeNull();
    expect(await quantities(userId)).toEqual({ 1: 1, 2: 3, 3: 7, 4: 2, 5: 1 });
  });

  it('an item whose added units were all ordered leaves the cart', async () => {
    const userId = 2;
    await carts.add(userId, 9, 1);
    const orderedAt = now();
    now();
    await carts.add(userId, 9, 1); // the buyer clicked "add" again before the event arrived…
    // …and the order had taken 2 (both clicks' units were on the confirm page): nothing remains.
    expect(await carts.removeOrderedOnce('cart.ordered-items', randomUUID(), userId, orderedAt, [{ skuId: 9, quantity: 2 }])).toBe(1);
    expect(await quantities(userId)).toEqual({});
  });
});
