/** Unique-constraint violation (Prisma P2002 or the raw Postgres 23505 behind a driver adapter). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown; originalCode?: unknown } };
  return e?.code === 'P2002' || e?.code === '23505' || e?.cause?.originalCode === '23505' || e?.cause?.code === '23505';
}
