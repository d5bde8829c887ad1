#!/usr/bin/env node
/**
 * `npm run bench`: the stock-lock strategies side by side on a scratch database, beside pgbench's
 * bare conditional UPDATE (the database's own ceiling). Exit 0 done, 1 a strategy that must not
 * oversell did, 2 usage, connection or setup error.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import Redis from 'ioredis';
import { parseBenchArgs, UsageError, USAGE, type BenchArgs } from './args';
import { runLevel, type LevelResult } from './bench';
import { loadEnv } from '@shop/consistency';
import { pgbenchVersion } from './pgbench';
import { findOversellers, findUnprovenLevels, formatFooter, formatHeader, formatLevel, type MachineInfo, type RunReport } from './report';
import { connectionBudget, createSchema, createScratchDb, serverFacts, type ScratchDb } from './scratch-db';
import { createRedlock, type BenchContext } from './strategies';

/** Connections left free for everything else on the server (services, other people's tests). */

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function main(argv: string[]): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // The tools' one environment loader (tools/ops/env.mjs); the scratch database goes beside inventory's.
  const env = await loadEnv();
  const db = await createScratchDb(env.inventoryDatabaseUrl);
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: 1 });
  const cleanUp = async (): Promise<void> => {
    await cleanRedis(redis, db.name).catch(() => undefined);
    redis.disconnect();
    await db.drop();
  };
  // Ctrl-C mid-run: the run's promises are abandoned, its scratch state is not.
  const onSignal = (): void => void cleanUp().finally(() => process.exit(130));
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const report = await runAll(args, db, redis, argv);
    if (args.json !== undefined) {
      await writeFile(args.json, `${JSON.stringify(report, null, 2)}\n`);
      say(`figures written to ${args.json}`);
    }
    return report.oversellers.length > 0 ? 1 : 0;
  } finally {
    await cleanUp();
  }
}

async function runAll(args: BenchArgs, db: ScratchDb, redis: Redis, argv: string[]): Promise<RunReport> {
  await createSchema(db.url, args.stock);
  const machine = await machineInfo(db.url);
  const settings = {
    seconds: args.seconds,
    stock: args.stock,
    raceStock: args.raceStock,
    raceAttempts: args.raceAttempts,
    maxPool: args.maxPool,
  };
  process.stdout.write(`${formatHeader({ machine, settings })}\n\n`);
  const levels = await runLevels(args, db, { redis, redlock: createRedlock(redis), redisPrefix: db.name });
  machine.loadAverageAfter = os.loadavg();
  const command = `node tools/bench/dist/lock-strategies.js ${argv.join(' ')}`.trim();
  const report: RunReport = {
    benchmark: 'lock-strategies',
    command,
    machine,
    settings,
    levels,
    oversellers: findOversellers(levels),
    unprovenLevels: findUnprovenLevels(levels),
  };
  process.stdout.write(`${formatFooter(report)}\n`);
  return report;
}

/** Each level in turn, its table printed as soon as it is done. */
async function runLevels(args: BenchArgs, db: ScratchDb, shared: Omit<BenchContext, 'pool'>): Promise<LevelResult[]> {
  const levels: LevelResult[] = [];
  for (const [levelIndex, concurrency] of args.concurrency.entries()) {
    say(`concurrency ${concurrency}:`);
    const poolSize = await connectionBudget(db.url, Math.min(concurrency, args.maxPool), say);
    const plan = {
      databaseUrl: db.url,
      concurrency,
      poolSize,
      seconds: args.seconds,
      raceStock: args.raceStock,
      raceAttempts: args.raceAttempts,
      levelIndex,
    };
    const level = await runLevel(plan, shared, say);
    levels.push(level);
    process.stdout.write(`${formatLevel(level)}\n\n`);
  }
  return levels;
}

/** Where the figures were taken; the load average is read before any load of ours. */
async function machineInfo(url: string): Promise<MachineInfo> {
  const loadAverageBefore = os.loadavg();
  const { postgres } = await serverFacts(url);
  return {
    date: new Date().toISOString(),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    postgres,
    pgbench: await pgbenchVersion(),
    loadAverageBefore,
    loadAverageAfter: [],
  };
}

/** This run's gate counters; Redlock's keys are released (or expire) on their own. */
async function cleanRedis(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`bench:stock:${prefix}:*`);
  if (keys.length > 0) {
    await redis.del(...keys);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
