/** Command-line arguments of the lock-strategies benchmark; a mistake is a UsageError (exit 2), never a guess. */
import { parseArgs } from 'node:util';

export class UsageError extends Error {}

export const USAGE = `usage: node tools/bench/dist/lock-strategies.js [options]
  --concurrency LIST   closed-loop workers per level, comma-separated (default 16,64,256)
  --seconds S          length of each throughput measurement and pgbench run, 1..600 (default 10)
  --stock N            stock of the hot SKU for the throughput runs (default 1000000000)
  --race-stock N       stock of the SKU each race run fights over (default 100)
  --race-attempts N    lock attempts of one unit in each race run (default 2000)
  --max-pool N         cap on PostgreSQL connections (pool and pgbench clients; default 64)
  --json FILE          also write every figure, with the machine, to FILE
exit 0: done, 1: one of strategies 1-4 oversold, 2: usage, connection or setup error`;

export interface BenchArgs {
  help: boolean;
  concurrency: number[];
  seconds: number;
  stock: number;
  raceStock: number;
  raceAttempts: number;
  maxPool: number;
  json: string | undefined;
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = asUsage(() =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        concurrency: { type: 'string' },
        seconds: { type: 'string' },
        stock: { type: 'string' },
        'race-stock': { type: 'string' },
        'race-attempts': { type: 'string' },
        'max-pool': { type: 'string' },
        json: { type: 'string' },
      },
    }),
  );
  const raceStock = integer('--race-stock', values['race-stock'], 100, 1, 1e6);
  const raceAttempts = integer('--race-attempts', values['race-attempts'], 2000, 1, 1e7);
  if (raceAttempts <= raceStock) {
    throw new UsageError('--race-attempts must exceed --race-stock, or no strategy can oversell');
  }
  return {
    help: values.help === true,
    concurrency: concurrencyList(values.concurrency ?? '16,64,256'),
    seconds: integer('--seconds', values.seconds, 10, 1, 600),
    // PostgreSQL integer: stock must stay below 2^31.
    stock: integer('--stock', values.stock, 1_000_000_000, 1, 2_000_000_000),
    raceStock,
    raceAttempts,
    maxPool: integer('--max-pool', values['max-pool'], 64, 1, 1000),
    json: values.json,
  };
}

function concurrencyList(raw: string): number[] {
  const levels = raw.split(',').map((part) => integer('--concurrency', part, 0, 1, 10_000));
  return [...new Set(levels)];
}

/** parseArgs throws TypeErrors for unknown or malformed options; to the user they are usage errors. */
function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function integer(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) {
    return fallback;
  }
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} takes an integer in ${min}..${max}, got "${raw}"`);
  }
  return n;
}
