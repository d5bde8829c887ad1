/**
 * Unique-constraint violation: Prisma P2002 (a model query), Prisma P2010 carrying the driver
 * adapter's UniqueConstraintViolation (a raw query: `$queryRaw`/`$executeRaw`), or the raw
 * Postgres 23505 behind a driver adapter.
 */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as {
    code?: unknown;
    cause?: { code?: unknown; originalCode?: unknown };
    meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } };
  };
  const adapter = e?.meta?.driverAdapterError?.cause;
  return (
    e?.code === 'P2002' ||
    e?.code === '23505' ||
    e?.cause?.originalCode === '23505' ||
    e?.cause?.code === '23505' ||
    adapter?.kind === 'UniqueConstraintViolation' ||
    adapter?.originalCode === '23505'
  );
}

/**
 * The database is saturated rather than broken: Prisma could not start an interactive transaction
 * within maxWait, or a transaction ran past its timeout and was rolled back (P2028), or no pool
 * connection came in time (P2024). Nothing of that transaction was applied, and the same request
 * may succeed a moment later: a 503 for the caller to retry, not a 500.
 */
export function isDatabaseSaturated(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === 'P2028' || code === 'P2024';
}
