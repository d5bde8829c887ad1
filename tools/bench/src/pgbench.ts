/** The database's own ceiling: pgbench running the bare conditional UPDATE in autocommit. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parsePgbenchOutput, type PgbenchSummary } from './pgbench-output';
import { connectionBudget, createSchema, createScratchDb, HOT_SKU_ID, SPREAD_SKUS } from './scratch-db';

const run = promisify(execFile);

export type BaselineName =
  'pgbench-hot-row' | 'pgbench-spread-100' | 'pgbench-submit-tx-hot' | 'pgbench-submit-tx-spread' | 'pgbench-notify-tx';

/** The statement of ours without its lock row and transaction: what one hot row can take at best. */
const UPDATE = 'UPDATE skus SET locked_stock = locked_stock + 1, updated_at = now() WHERE id = :id AND stock - locked_stock >= 1;';

/**
 * What a submit writes, in ONE transaction on ONE database with the hot row held from its UPDATE to
 * COMMIT: the stock counter, the lock row, the order and its outbox row. The end-to-end benchmark's
 * ceiling — ours splits it over two services and two databases and adds the token, the prices and
 * HTTP, so it can only approach this.
 */
const SUBMIT_TX = (id: string) => `\\set id ${id}
\\set sn random(1, 9000000000000000000)
BEGIN;
${UPDATE}
INSERT INTO stock_locks (order_sn, sku_id, quantity) VALUES (:sn, :id, 1) ON CONFLICT DO NOTHING;
INSERT INTO bench_orders (order_sn, total) VALUES (:sn, 1990) ON CONFLICT DO NOTHING;
INSERT INTO bench_outbox (envelope) VALUES ('{"type":"OrderCreated","orderSn":"x"}');
COMMIT;
`;

/**
 * What an applied notification writes, in one transaction: the notify_id, the payment's conditional
 * transition (a spread row: every notification is for another payment) and the outbox row. The
 * webhook benchmark's ceiling; ours adds the RSA2 verification, a Redlock and HTTP.
 */
const NOTIFY_TX = `\\set id random(1, ${SPREAD_SKUS})
\\set n random(1, 9000000000000000000)
BEGIN;
INSERT INTO bench_notifies (notify_id) VALUES (:n) ON CONFLICT DO NOTHING;
${UPDATE}
INSERT INTO bench_outbox (envelope) VALUES ('{"type":"PaymentSucceeded","orderSn":"x"}');
COMMIT;
`;

export const BASELINE_SCRIPTS: Record<BaselineName, string> = {
  'pgbench-hot-row': `\\set id ${HOT_SKU_ID}\n${UPDATE}\n`,
  'pgbench-spread-100': `\\set id random(1, ${SPREAD_SKUS})\n${UPDATE}\n`,
  'pgbench-submit-tx-hot': SUBMIT_TX(String(HOT_SKU_ID)),
  'pgbench-submit-tx-spread': SUBMIT_TX(`random(1, ${SPREAD_SKUS})`),
  'pgbench-notify-tx': NOTIFY_TX,
};

export interface BaselineResult extends PgbenchSummary {
  name: BaselineName;
  command: string;
  script: string;
  /** Set when pgbench failed; tps is NaN then. */
  error?: string;
}

export function failedBaseline(name: BaselineName, err: unknown): BaselineResult {
  const message = err instanceof Error ? err.message : String(err);
  return {
    name,
    command: 'pgbench',
    script: BASELINE_SCRIPTS[name],
    tps: Number.NaN,
    latencyAverageMs: undefined,
    failedTransactions: 0,
    processedTransactions: undefined,
    error: message,
  };
}

export async function pgbenchVersion(): Promise<string> {
  const { stdout } = await run('pgbench', ['--version']);
  return stdout.trim();
}

/** `pgbench -n -c C -j 2 -M prepared -T S -f script.sql <db>`, connection taken from the URL. */
export async function runBaseline(name: BaselineName, databaseUrl: string, clients: number, seconds: number): Promise<BaselineResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'shop-bench-'));
  try {
    const script = path.join(dir, `${name}.sql`);
    await writeFile(script, BASELINE_SCRIPTS[name]);
    const u = new URL(databaseUrl);
    const args = ['-n', '-c', String(clients), '-j', String(Math.min(2, clients)), '-M', 'prepared', '-T', String(seconds), '-f', script];
    const connection = ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres')];
    const env = { ...process.env, ...(u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {}) };
    const { stdout } = await run('pgbench', [...connection, ...args, u.pathname.slice(1)], { env, maxBuffer: 1 << 20 });
    const shown = args.map((a) => (a === script ? `${name}.sql` : a));
    return { name, command: `pgbench ${shown.join(' ')} <db>`, script: BASELINE_SCRIPTS[name], ...parsePgbenchOutput(stdout) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Each named baseline once at `clients` connections (fewer if the server has not that many free:
 * the command in the result says how many), on a scratch database of its own (created
 * beside `serverUrl`'s, dropped afterwards); a failed pgbench is reported, not thrown.
 */
export async function runBaselinesOnScratch(
  serverUrl: string,
  names: BaselineName[],
  clients: number,
  seconds: number,
): Promise<Partial<Record<BaselineName, BaselineResult>>> {
  const db = await createScratchDb(serverUrl);
  const out: Partial<Record<BaselineName, BaselineResult>> = {};
  try {
    await createSchema(db.url, 1_000_000_000);
    for (const name of names) {
      const budget = await connectionBudget(db.url, clients, (line) => process.stderr.write(`${line}\n`));
      out[name] = await runBaseline(name, db.url, budget, seconds).catch((err: unknown) => failedBaseline(name, err));
    }
  } finally {
    await db.drop();
  }
  return out;
}
