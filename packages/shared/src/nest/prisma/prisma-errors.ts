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
