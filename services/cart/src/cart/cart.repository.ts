import { Inject, Injectable } from '@nestjs/common';
import { MAX_LINE_QUANTITY, REDIS } from '@shop/shared/nest';
import type Redis from 'ioredis';

export const MAX_DISTINCT_ITEMS = 100;

export interface StoredCartItem {
  skuId: number;
  quantity: number;
  checked: boolean;
  addedAt: string;
}

/**
 * Each change to a cart item is one Lua script: Redis runs it atomically, so concurrent adds
 * never lose an update (no read-modify-write race) and the limits hold under concurrency —
 * the check and the write happen in the same indivisible step.
 */
const ADD = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
local qty = tonumber(ARGV[2])
if raw then
  local item = cjson.decode(raw)
  local total = item.quantity + qty
  if total > tonumber(ARGV[3]) then return 'QUANTITY_LIMIT' end
  item.quantity = total
  item.incrementedAt = ARGV[5]
  redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(item))
else
  if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then return 'TOO_MANY_ITEMS' end
  redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({quantity = qty, checked = true, addedAt = ARGV[5]}))
end
return 'OK'
`;

const UPDATE = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 'NOT_FOUND' end
local item = cjson.decode(raw)
if ARGV[2] ~= '' then
  item.quantity = tonumber(ARGV[2])
  item.setAt = ARGV[4]
end
if ARGV[3] ~= '' then item.checked = (ARGV[3] == '1') end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(item))
return 'OK'
`;

/**
 * OrderCreated → take the ordered SKUs out of the cart, exactly once per event: the inbox marker
 * and the change are one script, so a redelivered event finds the marker and changes nothing — not
 * even an item the buyer has put back since. What the buyer did AFTER the order was placed (the
 * event's time) is kept even on the first delivery:
 *   - the item was added after the order            → it stays;
 *   - its quantity was set after the order          → it stays as set;
 *   - units were added to it after the order        → only the ordered units leave;
 *   - otherwise                                     → the item leaves.
 * KEYS[1] cart, KEYS[2] inbox marker; ARGV[1] marker TTL (s), ARGV[2] order time, then skuId, quantity pairs.
 */
const REMOVE_ORDERED_ONCE = `
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) == false then return -1 end
local at = ARGV[2]
local changed = 0
for i = 3, #ARGV, 2 do
  local raw = redis.call('HGET', KEYS[1], ARGV[i])
  if raw then
    local item = cjson.decode(raw)
    if item.addedAt > at or (item.setAt and item.setAt > at) then
      -- the buyer's own later choice: keep it
    elseif item.incrementedAt and item.incrementedAt > at then
      item.quantity = item.quantity - tonumber(ARGV[i + 1])
      if item.quantity > 0 then redis.call('HSET', KEYS[1], ARGV[i], cjson.encode(item)) else redis.call('HDEL', KEYS[1], ARGV[i]) end
      changed = changed + 1
    else
      changed = changed + redis.call('HDEL', KEYS[1], ARGV[i])
    end
  end
end
return changed
`;

/** Longer than Kafka keeps an event (7 days), so no redelivery outlives its marker. */
const INBOX_TTL_SECONDS = 8 * 24 * 3600;

export type AddOutcome = 'OK' | 'QUANTITY_LIMIT' | 'TOO_MANY_ITEMS';

@Injectable()
export class CartRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  private key(userId: number): string {
    return `cart:${userId}`;
  }

  async items(userId: number): Promise<StoredCartItem[]> {
    const all = await this.redis.hgetall(this.key(userId));
    return Object.entries(all)
      .map(([skuId, raw]) => ({ skuId: Number(skuId), ...(JSON.parse(raw) as Omit<StoredCartItem, 'skuId'>) }))
      .sort((a, b) => a.addedAt.localeCompare(b.addedAt) || a.skuId - b.skuId);
  }

  async add(userId: number, skuId: number, quantity: number): Promise<AddOutcome> {
    return (await this.redis.eval(
      ADD,
      1,
      this.key(userId),
      skuId,
      quantity,
      MAX_LINE_QUANTITY,
      MAX_DISTINCT_ITEMS,
      new Date().toISOString(),
    )) as AddOutcome;
  }

  async update(userId: number, skuId: number, change: { quantity?: number; checked?: boolean }): Promise<boolean> {
    const checked = change.checked === undefined ? '' : change.checked ? '1' : '0';
    const result = await this.redis.eval(UPDATE, 1, this.key(userId), skuId, change.quantity ?? '', checked, new Date().toISOString());
    return result === 'OK';
  }

  /** null = this consumer had handled the event already (nothing changed); else how many cart items changed. */
  async removeOrderedOnce(
    consumer: string,
    eventId: string,
    userId: number,
    orderedAt: string,
    lines: Array<{ skuId: number; quantity: number }>,
  ): Promise<number | null> {
    const inbox = `inbox:${consumer}:${eventId}`;
    const pairs = lines.flatMap((l) => [l.skuId, l.quantity]);
    const changed = (await this.redis.eval(
      REMOVE_ORDERED_ONCE,
      2,
      this.key(userId),
      inbox,
      INBOX_TTL_SECONDS,
      orderedAt,
      ...pairs,
    )) as number;
    return changed < 0 ? null : changed;
  }

  async remove(userId: number, skuIds: number[]): Promise<number> {
    return skuIds.length ? this.redis.hdel(this.key(userId), ...skuIds.map(String)) : 0;
  }
}
