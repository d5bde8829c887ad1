import { createTestDatabase, pollUntil } from '@shop/shared/testing';
import { isDatabaseSaturated, mapError } from '@shop/shared/nest';
import { InventoryPrisma, InventoryTx } from '../../services/inventory/src/infrastructure/prisma/inventory-prisma.service';

/**
 * Overload is not a defect: when every pooled connection is held by a transaction, the next
 * transaction cannot start within maxWait and Prisma refuses it (P2028). Seen as 500s in a soak on
 * an overloaded machine; it is answered 503 UPSTREAM.UNAVAILABLE (retry later), and nothing of the
 * refused transaction was applied. The saturation here is real: a service's own pool, sized by
 * DATABASE_POOL_SIZE (here 4), with that many transactions held open.
 */
const POOL_SIZE = 4;
describe('a saturated connection pool is a 503, not a 500', () => {
  let db: { url: string; drop: () => Promise<void> };
  let prisma: InventoryPrisma;
  beforeAll(async () => {
    db = await createTestDatabase('INVENTORY');
    prisma = new InventoryPrisma(db.url, POOL_SIZE);
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await db.drop();
  });

  it('the transaction after a full pool waits maxWait, is refused with P2028, maps to 503 and wrote nothing', async () => {
    const tx = new InventoryTx(prisma);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let started = 0;
    const holders = Array.from({ length: POOL_SIZE }, () =>
      tx.run(async () => {
        await tx.client.$queryRaw`SELECT 1`;
        started++;
        await held;
      }),
    );
    try {
      await pollUntil(() => started === POOL_SIZE, { timeoutMs: 10000, what: 'transactions holding the whole pool' });
      const refused = await tx
        .run(() => tx.client.$executeRaw`INSERT INTO skus (title, price, stock) VALUES ('never', 100, 1)`)
        .then(
          () => null,
          (err: unknown) => err,
        );
      expect(refused).not.toBeNull();
      expect((refused as { code?: string }).code).toBe('P2028');
      expect(isDatabaseSaturated(refused)).toBe(true);
      expect(mapError(refused)).toEqual({
        status: 503,
        code: 'UPSTREAM.UNAVAILABLE',
        message: 'The database is busy; try again',
        details: { service: 'database' },
      });
    } finally {
      release();
      await Promise.all(holders);
    }
    expect(await prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM skus WHERE title = 'never'`).toEqual([{ n: 0 }]);
    expect(mapError(new Error('boom')).status).toBe(500); // anything else stays a 500
  }, 30000);
});
