import { Client, type QueryResult, type QueryResultRow } from 'pg';
import { redactUrl } from '@shop/shared/db';

export type DatabaseName = 'inventory' | 'order' | 'payment';

export const DATABASES: readonly DatabaseName[] = ['inventory', 'order', 'payment'];

export function byDatabase<T>(value: (name: DatabaseName) => T): Record<DatabaseName, T> {
  return { inventory: value('inventory'), order: value('order'), payment: value('payment') };
}

/** The one thing the rules do with a database. */
export interface Db {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/**
 * A connection runs one statement at a time, but the rules run concurrently (three databases,
 * several rules): this queues each database's statements instead of overlapping them on the
 * wire, which pg deprecates. One connection per database is what keeps one snapshot per database.
 */
export class SerialDb implements Db {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly client: Pick<Client, 'query'>) {}

  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>> {
    const run = this.tail.then(() => this.client.query<R>(text, values));
    this.tail = run.catch(() => undefined);
    return run;
  }
}

/**
 * One read-only REPEATABLE READ transaction per database. Each database is then read as of one
 * instant, so a multi-query rule (orders in chunks, then their items) never sees a half-applied
 * change. The three instants differ a little; `cutoff` is taken from the earliest of them, so any
 * flow that changed after a snapshot began counts as in flight rather than as a violation.
 */
export interface Snapshot {
  db: Record<DatabaseName, Db>;
  /** Rows changed after this are in flight (earliest snapshot time minus settleSeconds). */
  cutoff: Date;
  /** True when every given time is at or before the cutoff (null/undefined times are ignored). */
  settled(...times: Array<Date | null | undefined>): boolean;
  close(): Promise<void>;
}

export async function openSnapshot(urls: Record<DatabaseName, string>, settleSeconds: number): Promise<Snapshot> {
  // allSettled, not all: when one database fails, the others' connections must still be closed
  // once they open, or they would keep the process alive.
  const results = await Promise.allSettled(DATABASES.map((name) => begin(name, urls[name])));
  const began = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const opened = began.map((b) => b.client);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await closeAll(opened);
    throw failed.reason;
  }
  const db = byDatabase((name) => new SerialDb(began[DATABASES.indexOf(name)].client));
  const earliest = Math.min(...began.map((b) => b.now.getTime()));
  const cutoff = new Date(earliest - settleSeconds * 1000);
  return {
    db,
    cutoff,
    settled: (...times) => times.every((t) => t == null || t.getTime() <= cutoff.getTime()),
    close: () => closeAll(opened),
  };
}

async function begin(name: DatabaseName, url: string): Promise<{ client: Client; now: Date }> {
  const client = new Client({ connectionString: url, application_name: 'consistency-checker', connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new Error(`cannot connect to the ${name} database at ${redactUrl(url)}: ${(err as Error).message}`);
  }
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // A checker must never hold a production database hostage with a runaway scan.
    await client.query(`SET LOCAL statement_timeout = '60s'`);
    // The first query fixes the snapshot; now() is the transaction's start, just before it.
    const { rows } = await client.query<{ now: Date }>('SELECT now() AS now');
    return { client, now: rows[0].now };
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
}

async function closeAll(clients: Client[]): Promise<void> {
  await Promise.all(
    clients.map(async (c) => {
      try {
        await c.query('ROLLBACK');
      } catch {
        // The connection may already be broken; ending it is all that is left to do.
      }
      await c.end().catch(() => undefined);
    }),
  );
}
