import type { SqlStatement } from '@shop/shared/nest';
import { createTestDatabase, pollUntil, uniqueName } from '@shop/shared/testing';
import { Client, DatabaseError } from 'pg';
import { InventoryPrisma, InventoryTx } from '../../services/inventory/src/infrastructure/prisma/inventory-prisma.service';
import { SkuRepository } from '../../services/inventory/src/skus/sku.repository';

/**
 * TransactionHost.query against the real inventory database, through the service's own
 * InventoryPrisma (one `pg` pool, shared with Prisma's adapter) and InventoryTx. In autocommit a
 * statement must be a NAMED prepared statement sent straight to the pool and decoded by `pg`;
 * inside `tx.run` it must run on the transaction's connection through Prisma's client instead.
 * Prisma's own autocommit queries also go through `pool.query`, so "it used the pool" is proven by
 * what reached the pool (our statement's name, no Prisma `rowMode`) and by the database itself
 * (pg_prepared_statements, pg_backend_pid, visibility of uncommitted rows), not by a call count alone.
 */

/** Which connection runs it, and whether that session holds a prepared statement named $1. */
const probe = (): SqlStatement => ({
  name: uniqueName('thq_probe'),
  text: `SELECT pg_backend_pid() AS "backendPid", EXISTS (SELECT 1 FROM pg_prepared_statements WHERE name = $1) AS "isPrepared"`,
});
type Probe = { backendPid: number; isPrepared: boolean };

/** int4, text, timestamptz and int4[] under camelCase aliases. */
const TYPED: SqlStatement = {
  name: 'thq_typed',
  text: `SELECT id, title, locked_stock AS "lockedStock", created_at AS "createdAt", ARRAY[price, stock] AS "priceAndStock"
           FROM skus WHERE id = $1`,
};
type Typed = { id: number; title: string; lockedStock: number; createdAt: Date; priceAndStock: number[] };

const INSERT_SKU: SqlStatement = {
  name: 'thq_insert_sku',
  text: `INSERT INTO skus (title, price, stock) VALUES ($1, $2, $3) RETURNING id`,
};
const INSERT_SKU_WITH_ID: SqlStatement = {
  name: 'thq_insert_sku_with_id',
  text: `INSERT INTO skus (id, title, price, stock) VALUES ($1, $2, 100, 1)`,
};
const BUMP_STOCK: SqlStatement = {
  name: 'thq_bump_stock',
  text: `UPDATE skus SET stock = stock + 1 WHERE id = $1 RETURNING stock`,
};

/** Records every `pool.query` call on the service's real pool (calling through to it). */
function spyOnPool(prisma: InventoryPrisma): { calls: () => unknown[]; named: (s: SqlStatement) => unknown[] } {
  const spy = jest.spyOn(prisma.pool, 'query');
  const calls = (): unknown[] => spy.mock.calls.map((args: unknown[]) => args[0]);
  return { calls, named: (s) => calls().filter((c) => (c as { name?: unknown }).name === s.name) };
}

async function newSku(
  prisma: InventoryPrisma,
  data: { title?: string; spuId?: number | null; price?: number; stock?: number; lockedStock?: number } = {},
) {
  return prisma.sku.create({ data: { title: 'Tea cup', price: 4440, stock: 17, lockedStock: 3, ...data } });
}

describe('TransactionHost.query (inventory database)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let prisma: InventoryPrisma;
  let tx: InventoryTx;
  /** Another connection: sees only what is committed. */
  let observer: Client;
  const committed = async (id: number): Promise<number> =>
    (await observer.query<{ n: number }>('SELECT count(*)::int AS n FROM skus WHERE id = $1', [id])).rows[0].n;

  beforeAll(async () => {
    db = await createTestDatabase('INVENTORY');
    prisma = new InventoryPrisma(db.url, 4);
    tx = new InventoryTx(prisma);
    observer = new Client({ connectionString: db.url });
    await observer.connect();
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await observer.end();
    await prisma.$disconnect();
    await db.drop();
  });

  it('outside a transaction: a named prepared statement on the pool, rows decoded by pg under their aliases', async () => {
    const sku = await newSku(prisma);
    const where = probe();
    const pool = spyOnPool(prisma);

    const [probed] = await tx.query<Probe>(where, [where.name]);
    const rows = await tx.query<Typed>(TYPED, [sku.id]);

    // Prisma would have sent its own config (unnamed, rowMode 'array'): exactly ours reached the pool.
    expect(pool.calls()).toEqual([
      { name: where.name, text: where.text, values: [where.name] },
      { name: TYPED.name, text: TYPED.text, values: [sku.id] },
    ]);
    // And the database agrees: the session that ran it holds it as a prepared statement.
    expect(probed).toEqual({ backendPid: expect.any(Number), isPrepared: true });
    expect(rows).toStrictEqual([{ id: sku.id, title: 'Tea cup', lockedStock: 3, createdAt: sku.createdAt, priceAndStock: [4440, 17] }]);
    expect(rows[0].createdAt).toBeInstanceOf(Date);
  });

  it('inside tx.run: runs on the transaction connection, through Prisma, and sees its uncommitted write', async () => {
    const where = probe();
    const pool = spyOnPool(prisma);

    const seen = await tx.run(async () => {
      const created = await tx.client.sku.create({ data: { title: 'Uncommitted', price: 100, stock: 2 }, select: { id: true } });
      const [{ pid }] = await tx.client.$queryRaw<[{ pid: number }]>`SELECT pg_backend_pid() AS pid`;
      return {
        created,
        pid,
        probed: await tx.query<Probe>(where, [where.name]),
        rows: await tx.query<Typed>(TYPED, [created.id]),
        committedMeanwhile: await committed(created.id),
      };
    });

    expect(seen.committedMeanwhile).toBe(0); // so only the transaction itself could see the row
    expect(seen.rows).toEqual([expect.objectContaining({ id: seen.created.id, title: 'Uncommitted', priceAndStock: [100, 2] })]);
    // The pool's other connections cannot run it: the one the transaction holds did, and unnamed.
    expect(seen.probed).toEqual([{ backendPid: seen.pid, isPrepared: false }]);
    expect(pool.calls()).toEqual([]);
    expect(await committed(seen.created.id)).toBe(1);
  });

  it('inside tx.run: an INSERT made by query rolls back when the transaction throws', async () => {
    const pool = spyOnPool(prisma);
    let inserted: number | undefined;
    let seenInside: number | undefined;

    const failed = tx.run(async () => {
      const [row] = await tx.query<{ id: number }>(INSERT_SKU, ['Rolled back', 100, 1]);
      inserted = row.id;
      seenInside = await tx.client.sku.count({ where: { id: inserted } });
      throw new Error('abort the unit of work');
    });

    await expect(failed).rejects.toThrow('abort the unit of work');
    expect(inserted).toEqual(expect.any(Number));
    expect(seenInside).toBe(1);
    expect(await committed(inserted!)).toBe(0); // over the pool it would have autocommitted
    expect(pool.calls()).toEqual([]);
  });

  it('the same statement decodes to the same rows over the pool and inside a transaction', async () => {
    const loose = await newSku(prisma, { title: 'Loose leaf', spuId: null, price: 1250, stock: 40, lockedStock: 0 });
    const grouped = await newSku(prisma, { title: 'Teapot', spuId: 7, price: 8880, stock: 5, lockedStock: 5 });
    const skus = new SkuRepository(tx);
    const read = async () => ({
      byIds: await skus.findByIds([grouped.id, loose.id]),
      byId: await skus.findById(grouped.id),
      typed: await tx.query<Typed>(TYPED, [loose.id]),
    });
    const pool = spyOnPool(prisma);

    const overPool = await read();
    const overPoolCalls = pool.calls();
    const inTransaction = await tx.run(read);

    expect(overPoolCalls).toEqual(
      Array.from({ length: 3 }, () => ({ name: expect.any(String), text: expect.any(String), values: expect.any(Array) })),
    );
    expect(pool.calls()).toHaveLength(3); // the transaction's reads added none
    const row = (s: typeof loose) => ({
      id: s.id,
      spuId: s.spuId,
      title: s.title,
      price: s.price,
      stock: s.stock,
      lockedStock: s.lockedStock,
    });
    expect(overPool.byIds).toStrictEqual([row(loose), row(grouped)]);
    expect(overPool.byId).toStrictEqual(row(grouped));
    expect(inTransaction).toStrictEqual(overPool);
  });

  it('a unique violation outside a transaction is the pg error itself, and is not retried', async () => {
    const sku = await newSku(prisma);
    const retriesBefore = tx.retries;
    const pool = spyOnPool(prisma);

    const err = await tx.query(INSERT_SKU_WITH_ID, [sku.id, 'Duplicate']).then(
      () => null,
      (e: unknown) => e,
    );

    expect(err).toBeInstanceOf(DatabaseError);
    expect(err).toMatchObject({ code: '23505', constraint: 'skus_pkey' });
    expect(pool.named(INSERT_SKU_WITH_ID)).toHaveLength(1);
    expect(tx.retries).toBe(retriesBefore);
  });
});

describe('TransactionHost.query retries a real serialization failure (repeatable read)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let prisma: InventoryPrisma;
  let tx: InventoryTx;
  let holder: Client;
  let observer: Client;

  beforeAll(async () => {
    db = await createTestDatabase('INVENTORY');
    // Every session of this scratch database runs at REPEATABLE READ, so an autocommit UPDATE that
    // waited for a row a concurrent transaction then changed fails with 40001.
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`ALTER DATABASE "${new URL(db.url).pathname.slice(1)}" SET default_transaction_isolation = 'repeatable read'`);
    await admin.end();
    prisma = new InventoryPrisma(db.url, 2);
    tx = new InventoryTx(prisma);
    holder = new Client({ connectionString: db.url });
    observer = new Client({ connectionString: db.url });
    await Promise.all([holder.connect(), observer.connect()]);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await Promise.all([holder.end(), observer.end()]);
    await prisma.$disconnect();
    await db.drop();
  });

  it('the UPDATE that lost the race fails with 40001 once, is re-run on the pool, and succeeds', async () => {
    const sku = await newSku(prisma, { stock: 10, lockedStock: 0 });
    const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    await holder.query('BEGIN');
    await holder.query('UPDATE skus SET stock = stock + 10 WHERE id = $1', [sku.id]);
    const pool = spyOnPool(prisma);

    const bumped = tx.query<{ stock: number }>(BUMP_STOCK, [sku.id]);
    try {
      await pollUntil(
        async () =>
          (
            await observer.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))', [
              holderPid,
            ])
          ).rows[0].n === 1,
        { what: "the pool's UPDATE waiting for the holder's row lock" },
      );
    } finally {
      await holder.query('COMMIT');
    }

    expect(await bumped).toEqual([{ stock: 21 }]); // 10 + the holder's 10 + 1, applied once
    expect(pool.named(BUMP_STOCK)).toHaveLength(2);
    expect(tx.retries).toBe(1);
  });
});
