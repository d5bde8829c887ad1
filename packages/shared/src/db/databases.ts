import { Client } from 'pg';
import { databaseNameOf, quoteIdent, redactUrl, withDatabase } from './database-url';

/** Runs `fn` with a connection to the server's maintenance database (`postgres`). */
export async function withAdminClient<T>(anyUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: withDatabase(anyUrl, 'postgres') });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`cannot reach PostgreSQL at ${redactUrl(anyUrl)}: ${(err as Error).message}`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates the database named in `url` if it does not exist. Safe when several callers race. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = databaseNameOf(url);
  return withAdminClient(url, async (c) => {
    const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) {
      return false;
    }
    try {
      await c.query(`CREATE DATABASE ${quoteIdent(name)}`);
      return true;
    } catch (err) {
      // 42P04 duplicate_database, 23505 unique violation on pg_database: someone else won the race.
      const code = (err as { code?: string }).code;
      if (code === '42P04' || code === '23505') {
        return false;
      }
      throw err;
    }
  });
}

export async function dropDatabase(url: string): Promise<void> {
  const name = databaseNameOf(url);
  await withAdminClient(url, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
}

/**
 * CREATE DATABASE … TEMPLATE …: a migrated template cloned per test file keeps integration tests
 * isolated and fast. Postgres refuses to copy a template that has open connections (55006), which
 * a concurrent clone can briefly cause, so that one error is retried.
 */
export async function cloneDatabase(templateUrl: string, targetName: string): Promise<string> {
  const template = databaseNameOf(templateUrl);
  await withAdminClient(templateUrl, async (c) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await c.query(`CREATE DATABASE ${quoteIdent(targetName)} TEMPLATE ${quoteIdent(template)}`);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== '55006' || attempt >= 20) {
          throw err;
        }
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  });
  return withDatabase(templateUrl, targetName);
}
