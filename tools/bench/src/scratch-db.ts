/** The benchmark's own PostgreSQL database: created per run, dropped at the end (also on failure). */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Tables the strategies run against. Constants, never user input: safe to splice into SQL. */
export type SkuTable = 'skus' | 'skus_unchecked';

/** Ids of the seeded rows: 1..100 in `skus` (1 is the hot SKU), race rows are added per run. */
export const HOT_SKU_ID = 1;
export const SPREAD_SKUS = 100;

export interface ScratchDb {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** `serverUrl` names any database on the server; the scratch database is created beside it. */
export async function createScratchDb(serverUrl: string): Promise<ScratchDb> {
  const name = `shop_bench_${randomBytes(4).toString('hex')}`;
  const url = withDatabase(serverUrl, name);
  await onMaintenanceDb(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  let dropped = false;
  const drop = async (): Promise<void> => {
    if (!dropped) {
      dropped = true;
      // FORCE: a pgbench or pool connection left behind by a failure must not keep it alive.
      await onMaintenanceDb(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    }
  };
  return { name, url, drop };
}

export function withDatabase(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

async function onMaintenanceDb(serverUrl: string, work: (c: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/**
 * `skus` is shaped like the inventory's, CHECK included. `skus_unchecked` is the same without the
 * CHECK: the race runs use it for every strategy, so that an oversell is counted as the strategy's
 * own doing and not stopped (hidden) by the constraint that backs ours up in production.
 */
const SCHEMA = `
  CREATE TABLE skus (
    id integer PRIMARY KEY,
    stock integer NOT NULL,
    locked_stock integer NOT NULL DEFAULT 0,
    updated_at timestamptz(3) NOT NULL DEFAULT now(),
    CONSTRAINT skus_locked_stock_range CHECK (locked_stock >= 0 AND locked_stock <= stock)
  );
  CREATE TABLE skus_unchecked (
    id integer PRIMARY KEY,
    stock integer NOT NULL,
    locked_stock integer NOT NULL DEFAULT 0,
    updated_at timestamptz(3) NOT NULL DEFAULT now()
  );
  CREATE TABLE stock_locks (
    order_sn varchar(20) NOT NULL,
    sku_id integer NOT NULL,
    quantity integer NOT NULL,
    created_at timestamptz(3) NOT NULL DEFAULT now(),
    PRIMARY KEY (order_sn, sku_id)
  );
  -- Shaped like the order's and payment's rows, for the submit and notify baselines.
  CREATE TABLE bench_orders (order_sn varchar(20) PRIMARY KEY, total integer NOT NULL, created_at timestamptz(3) NOT NULL DEFAULT now());
  CREATE TABLE bench_outbox (id bigserial PRIMARY KEY, envelope jsonb NOT NULL, created_at timestamptz(3) NOT NULL DEFAULT now(), published_at timestamptz(3));
  CREATE TABLE bench_notifies (notify_id varchar(128) PRIMARY KEY, created_at timestamptz(3) NOT NULL DEFAULT now());`;

export async function createSchema(url: string, stock: number): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(SCHEMA);
    await client.query('INSERT INTO skus (id, stock) SELECT g, $1 FROM generate_series(1, $2) g', [stock, SPREAD_SKUS]);
  } finally {
    await client.end();
  }
}

/** Connections left for everything else on a shared server (the services, test databases). */
const CONNECTION_MARGIN = 15;

export async function serverFacts(url: string): Promise<{ postgres: string; freeConnections: number }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ version: string; free: number }>(
      `SELECT version() AS version,
              (current_setting('max_connections')::integer - current_setting('superuser_reserved_connections')::integer
               - (SELECT count(*) FROM pg_stat_activity)::integer) AS free`,
    );
    return { postgres: r.rows[0].version, freeConnections: r.rows[0].free };
  } finally {
    await client.end();
  }
}

/**
 * The connections a level may open (pool, then pgbench clients): the request, capped by what the
 * server has free right now minus a margin. Asked again per level, because other work on a shared
 * server (services, test databases) opens and closes connections while the benchmark runs.
 */
export async function connectionBudget(url: string, wanted: number, say: (line: string) => void): Promise<number> {
  const { freeConnections } = await serverFacts(url);
  const budget = Math.max(1, Math.min(wanted, freeConnections - CONNECTION_MARGIN));
  if (budget < wanted) {
    say(`note: only ${freeConnections} PostgreSQL connections free: ${budget} instead of ${wanted} for this level`);
  }
  return budget;
}
