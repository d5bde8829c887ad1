import { Client } from 'pg';

/**
 * SPEC §10.1 on the inventory database: for every SKU, 0 <= locked_stock <= stock, and
 * locked_stock equals the units its LOCKED locks hold. Fails listing every offending SKU.
 */
export async function expectStockInvariants(inventoryDbUrl: string): Promise<void> {
  const db = new Client({ connectionString: inventoryDbUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ id: number; stock: number; locked_stock: number; locked_by_locks: number }>(`
      SELECT s.id, s.stock, s.locked_stock, COALESCE(l.units, 0)::int AS locked_by_locks
        FROM skus s
        LEFT JOIN (SELECT sku_id, SUM(quantity) AS units FROM stock_locks WHERE status = 'LOCKED' GROUP BY sku_id) l
          ON l.sku_id = s.id
       WHERE NOT (s.locked_stock >= 0 AND s.locked_stock <= s.stock AND s.locked_stock = COALESCE(l.units, 0))
       ORDER BY s.id`);
    // Comparing the rows (not a count) puts the offending SKUs in the failure message.
    expect(rows).toEqual([]);
  } finally {
    await db.end();
  }
}
