/** The database's own ceiling: pgbench running the bare conditional UPDATE in autocommit. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parsePgbenchOutput, type PgbenchSummary } from './pgbench-output';
import { HOT_SKU_ID, SPREAD_SKUS } from './scratch-db';

const run = promisify(execFile);

export type BaselineName = 'pgbench-hot-row' | 'pgbench-spread-100';

/** The statement of ours without its lock row and transaction: what one hot row can take at best. */
const UPDATE = 'UPDATE skus SET locked_stock = locked_stock + 1, updated_at = now() WHERE id = :id AND stock - locked_stock >= 1;';

export const BASELINE_SCRIPTS: Record<BaselineName, string> = {
  'pgbench-hot-row': `\\set id ${HOT_SKU_ID}\n${UPDATE}\n`,
  'pgbench-spread-100': `\\set id random(1, ${SPREAD_SKUS})\n${UPDATE}\n`,
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
