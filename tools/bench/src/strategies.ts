/**
 * The five ways of locking stock the benchmark compares. Each takes one unit request and answers
 * whether it was granted; each grant leaves one lock row, so "units granted" can be counted from
 * the database afterwards, independently of the counter the strategy maintains.
 */
import type Redis from 'ioredis';
import type { Pool, PoolClient } from 'pg';
import Redlock, { ExecutionError } from 'redlock';
import type { SkuTable } from './scratch-db';

export interface BenchContext {
  pool: Pool;
  redis: Redis;
  redlock: Redlock;
  /** Prefix of this run's Redis keys (the scratch database's name), so parallel runs never share one. */
  redisPrefix: string;
}

export type Strategy = (ctx: BenchContext, table: SkuTable, skuId: number, qty: number, orderSn: string) => Promise<boolean>;

export type StrategyName =
  'conditional-update' | 'select-for-update' | 'redlock-read-check-write' | 'redis-lua-gate' | 'naive-read-then-write';

/**
 * Redlock settings: LockService's retry delay and jitter, waiting up to ~30 s (far longer than a
 * race run lasts, so no request gives up in a healthy run, yet bounded if Redis goes away), and a
 * TTL far above one critical section. A request that still gives up is counted as an error.
 */
export const REDLOCK_TTL_MS = 5000;
const REDLOCK_WAIT = { retryCount: 1200, retryDelay: 25, retryJitter: 20 } as const;

export function createRedlock(redis: Redis): Redlock {
  // As packages/shared's LockService builds it; the retry settings are passed per acquire.
  const redlock = new Redlock([redis], { retryCount: 0, driftFactor: 0.01, automaticExtensionThreshold: 200 });
  redlock.on('error', () => undefined);
  return redlock;
}

export function stockKey(ctx: BenchContext, skuId: number): string {
  return `bench:stock:${ctx.redisPrefix}:${skuId}`;
}

/** Runs `work` in one transaction on one pooled connection; a failed connection is discarded. */
async function inTransaction<T>(pool: Pool, work: (c: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const value = await work(client);
    await client.query('COMMIT');
    client.release();
    return value;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release(err as Error);
    throw err;
  }
}

async function insertLockRow(q: Pool | PoolClient, skuId: number, qty: number, orderSn: string): Promise<void> {
  await q.query('INSERT INTO stock_locks (order_sn, sku_id, quantity) VALUES ($1, $2, $3)', [orderSn, skuId, qty]);
}

/**
 * 1. Ours. The WHERE clause decides "enough stock?" against the row as it is when the UPDATE takes
 * its row lock, so a concurrent lock between any read and this write cannot be overwritten; zero
 * rows updated = refused. The hot row's lock is held from the UPDATE to COMMIT only.
 */
const conditionalUpdate: Strategy = async (ctx, table, skuId, qty, orderSn) =>
  inTransaction(ctx.pool, async (c) => {
    const r = await c.query(
      `UPDATE ${table} SET locked_stock = locked_stock + $2, updated_at = now()
        WHERE id = $1 AND stock - locked_stock >= $2`,
      [skuId, qty],
    );
    if (r.rowCount !== 1) {
      return false;
    }
    await insertLockRow(c, skuId, qty, orderSn);
    return true;
  });

/** 2. Pessimistic: the row lock is taken by the SELECT and held across the check in JS. */
const selectForUpdate: Strategy = async (ctx, table, skuId, qty, orderSn) =>
  inTransaction(ctx.pool, async (c) => {
    const r = await c.query<{ stock: number; locked_stock: number }>(`SELECT stock, locked_stock FROM ${table} WHERE id = $1 FOR UPDATE`, [
      skuId,
    ]);
    const row = r.rows[0];
    if (row === undefined || row.stock - row.locked_stock < qty) {
      return false;
    }
    await c.query(`UPDATE ${table} SET locked_stock = locked_stock + $2, updated_at = now() WHERE id = $1`, [skuId, qty]);
    await insertLockRow(c, skuId, qty, orderSn);
    return true;
  });

/** Read, check in JS, write the value read + qty, in autocommit. Correct only under mutual exclusion. */
async function readCheckWrite(pool: Pool, table: SkuTable, skuId: number, qty: number, orderSn: string): Promise<boolean> {
  const r = await pool.query<{ stock: number; locked_stock: number }>(`SELECT stock, locked_stock FROM ${table} WHERE id = $1`, [skuId]);
  const row = r.rows[0];
  if (row === undefined || row.stock - row.locked_stock < qty) {
    return false;
  }
  await pool.query(`UPDATE ${table} SET locked_stock = $2, updated_at = now() WHERE id = $1`, [skuId, row.locked_stock + qty]);
  await insertLockRow(pool, skuId, qty, orderSn);
  return true;
}

/**
 * 3. What many commerce backends do: a distributed lock around read-check-write. Safe only while
 * the lock outlives its holder's work (a pause longer than the TTL lets a second holder in).
 */
const redlockReadCheckWrite: Strategy = async (ctx, table, skuId, qty, orderSn) => {
  const lock = await ctx.redlock.acquire([`lock:sku:${ctx.redisPrefix}:${skuId}`], REDLOCK_TTL_MS, REDLOCK_WAIT);
  try {
    return await readCheckWrite(ctx.pool, table, skuId, qty, orderSn);
  } finally {
    await lock.release().catch((err: unknown) => {
      if (!(err instanceof ExecutionError)) {
        throw err;
      }
    });
  }
};

/** Takes qty from the Redis counter if it holds at least qty; -1 (untouched) otherwise. */
const TAKE_IF_ENOUGH = `
local left = tonumber(redis.call('GET', KEYS[1]) or '-1')
local qty = tonumber(ARGV[1])
if left < qty then return -1 end
return redis.call('DECRBY', KEYS[1], qty)`;

/**
 * 4. A Redis pre-decrement gate in front of ours: most refusals never reach PostgreSQL, which stays
 * the source of truth (a unit the database refuses is given back to the gate).
 */
const redisLuaGate: Strategy = async (ctx, table, skuId, qty, orderSn) => {
  const key = stockKey(ctx, skuId);
  const left = (await ctx.redis.eval(TAKE_IF_ENOUGH, 1, key, qty)) as number;
  if (left < 0) {
    return false;
  }
  let granted = false;
  try {
    granted = await conditionalUpdate(ctx, table, skuId, qty, orderSn);
    return granted;
  } finally {
    if (!granted) {
      await ctx.redis.incrby(key, qty);
    }
  }
};

/** 5. The control: read-check-write with no lock at all. It must oversell, or the counter is unproven. */
const naiveReadThenWrite: Strategy = async (ctx, table, skuId, qty, orderSn) => readCheckWrite(ctx.pool, table, skuId, qty, orderSn);

export interface StrategyEntry {
  name: StrategyName;
  run: Strategy;
  /** False for the control only: its oversell is expected and proves the race run can see one. */
  mustNotOversell: boolean;
  /** Needs the Redis counter initialised from the database before a run. */
  usesRedisStock: boolean;
}

export const STRATEGIES: readonly StrategyEntry[] = [
  { name: 'conditional-update', run: conditionalUpdate, mustNotOversell: true, usesRedisStock: false },
  { name: 'select-for-update', run: selectForUpdate, mustNotOversell: true, usesRedisStock: false },
  { name: 'redlock-read-check-write', run: redlockReadCheckWrite, mustNotOversell: true, usesRedisStock: false },
  { name: 'redis-lua-gate', run: redisLuaGate, mustNotOversell: true, usesRedisStock: true },
  { name: 'naive-read-then-write', run: naiveReadThenWrite, mustNotOversell: false, usesRedisStock: false },
];
