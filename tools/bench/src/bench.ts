/** One concurrency level: the pgbench baselines, then each strategy's throughput and race runs. */
import { Pool } from 'pg';
import { failedBaseline, runBaseline, type BaselineResult } from './pgbench';
import { judgeRace, type RaceVerdict } from './race-verdict';
import { measureThroughput, orderSnSource, race, type RaceTally, type ThroughputResult } from './runner';
import { HOT_SKU_ID } from './scratch-db';
import { stockKey, STRATEGIES, type BenchContext, type StrategyEntry, type StrategyName } from './strategies';

export interface LevelPlan {
  databaseUrl: string;
  concurrency: number;
  poolSize: number;
  seconds: number;
  raceStock: number;
  raceAttempts: number;
  /** Distinguishes this level's order numbers and race rows from the other levels'. */
  levelIndex: number;
}

export interface StrategyResult {
  name: StrategyName;
  mustNotOversell: boolean;
  throughput: ThroughputResult;
  race: RaceVerdict & RaceTally & { attempts: number };
}

export interface LevelResult {
  concurrency: number;
  poolSize: number;
  baselines: BaselineResult[];
  strategies: StrategyResult[];
}

type Say = (line: string) => void;

export async function runLevel(plan: LevelPlan, shared: Omit<BenchContext, 'pool'>, say: Say): Promise<LevelResult> {
  const baselines: BaselineResult[] = [];
  for (const name of ['pgbench-hot-row', 'pgbench-spread-100'] as const) {
    say(`  ${name}: pgbench -c ${plan.poolSize} for ${plan.seconds} s`);
    // A failed baseline (e.g. the server ran out of connections) is reported, not fatal to the run.
    baselines.push(
      await runBaseline(name, plan.databaseUrl, plan.poolSize, plan.seconds).catch((err: unknown) => failedBaseline(name, err)),
    );
  }
  const pool = new Pool({ connectionString: plan.databaseUrl, max: plan.poolSize });
  // A connection dropping (idle, or checked out: e.g. the scratch database dropped on Ctrl-C) fails
  // the query in flight, which is counted; unlistened, the client's 'error' event would crash the run.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    await warmPool(pool, plan.poolSize);
    const ctx: BenchContext = { ...shared, pool };
    const strategies: StrategyResult[] = [];
    for (const [index, entry] of STRATEGIES.entries()) {
      say(`  ${entry.name}: ${plan.seconds} s throughput, then a race of ${plan.raceAttempts} attempts on ${plan.raceStock} units`);
      strategies.push(await runStrategy(ctx, entry, plan, index));
    }
    return { concurrency: plan.concurrency, poolSize: plan.poolSize, baselines, strategies };
  } finally {
    await pool.end();
  }
}

/** Opens every connection before the clock starts: connection set-up is not what is measured. */
async function warmPool(pool: Pool, size: number): Promise<void> {
  const clients = await Promise.all(Array.from({ length: size }, () => pool.connect()));
  await Promise.all(clients.map((c) => c.query('SELECT 1')));
  clients.forEach((c) => c.release());
}

async function runStrategy(ctx: BenchContext, entry: StrategyEntry, plan: LevelPlan, index: number): Promise<StrategyResult> {
  const tag = `b${plan.levelIndex.toString(36)}${index}`;
  // Each strategy starts from the same table state: no lock rows, hot row's dead versions vacuumed.
  await ctx.pool.query('TRUNCATE stock_locks');
  await ctx.pool.query('VACUUM skus');
  if (entry.usesRedisStock) {
    await syncRedisStock(ctx, 'skus', HOT_SKU_ID);
  }
  const throughput = await measureThroughput(ctx, entry.run, {
    table: 'skus',
    skuId: HOT_SKU_ID,
    concurrency: plan.concurrency,
    seconds: plan.seconds,
    nextOrderSn: orderSnSource(`${tag}t`),
  });
  const raceSkuId = 1000 + plan.levelIndex * 10 + index;
  await ctx.pool.query('INSERT INTO skus_unchecked (id, stock) VALUES ($1, $2)', [raceSkuId, plan.raceStock]);
  if (entry.usesRedisStock) {
    await syncRedisStock(ctx, 'skus_unchecked', raceSkuId);
  }
  const tally = await race(ctx, entry.run, {
    table: 'skus_unchecked',
    skuId: raceSkuId,
    concurrency: plan.concurrency,
    attempts: plan.raceAttempts,
    nextOrderSn: orderSnSource(`${tag}r`),
  });
  const verdict = judgeRace(await raceCounts(ctx, raceSkuId));
  return {
    name: entry.name,
    mustNotOversell: entry.mustNotOversell,
    throughput,
    race: { ...verdict, ...tally, attempts: plan.raceAttempts },
  };
}

/** The gate starts from what the database says is available. */
async function syncRedisStock(ctx: BenchContext, table: 'skus' | 'skus_unchecked', skuId: number): Promise<void> {
  const r = await ctx.pool.query<{ available: number }>(`SELECT stock - locked_stock AS available FROM ${table} WHERE id = $1`, [skuId]);
  await ctx.redis.set(stockKey(ctx, skuId), String(r.rows[0].available));
}

async function raceCounts(ctx: BenchContext, skuId: number): Promise<{ stock: number; unitsGranted: number; lockedStock: number }> {
  const r = await ctx.pool.query<{ stock: number; locked_stock: number; granted: number }>(
    `SELECT s.stock, s.locked_stock,
            (SELECT coalesce(sum(l.quantity), 0)::integer FROM stock_locks l WHERE l.sku_id = s.id) AS granted
       FROM skus_unchecked s WHERE s.id = $1`,
    [skuId],
  );
  const row = r.rows[0];
  return { stock: row.stock, unitsGranted: row.granted, lockedStock: row.locked_stock };
}
