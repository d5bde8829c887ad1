import { Pool } from 'pg';

/**
 * A service database's ONE `pg` pool: Prisma's driver adapter runs on it
 * (`new PrismaPg(pool, { disposeExternalPool: true })`, so `$disconnect` ends it), and
 * `TransactionHost.query` sends its hot-path statements over the same connections, so the
 * database sees one pool of `max` per process, as before.
 */
export function createSqlPool(url: string, max: number, service: string): Pool {
  return new Pool({ connectionString: url, max, application_name: service });
}
