import { Injectable } from '@nestjs/common';
import type { SqlStatement } from '@shop/shared/nest';
import { InventoryTx } from '../infrastructure/prisma/inventory-prisma.service';
import { SkuRecord } from './sku-response';
import { MAX_STOCK } from './dto/sku.dto';

const COLUMNS = { id: true, spuId: true, title: true, price: true, stock: true, lockedStock: true } as const;

// The catalog reads every cart view, confirm and submit makes (hot-path SQL: see TransactionHost.query).
const SKU_COLUMNS = `id, spu_id AS "spuId", title, price, stock, locked_stock AS "lockedStock"`;
const FIND_BY_IDS: SqlStatement = {
  name: 'sku_find_by_ids',
  text: `SELECT ${SKU_COLUMNS} FROM skus WHERE id = ANY($1::int[]) ORDER BY id`,
};
const FIND_BY_ID: SqlStatement = { name: 'sku_find_by_id', text: `SELECT ${SKU_COLUMNS} FROM skus WHERE id = $1` };

@Injectable()
export class SkuRepository {
  constructor(private readonly tx: InventoryTx) {}

  findByIds(ids: number[]): Promise<SkuRecord[]> {
    return this.tx.query<SkuRecord>(FIND_BY_IDS, [ids]);
  }

  list(limit: number): Promise<SkuRecord[]> {
    return this.tx.client.sku.findMany({ select: COLUMNS, orderBy: { id: 'asc' }, take: limit });
  }

  async findById(id: number): Promise<SkuRecord | null> {
    const [row] = await this.tx.query<SkuRecord>(FIND_BY_ID, [id]);
    return row ?? null;
  }

  create(data: { spuId: number | null; title: string; price: number; stock: number }): Promise<SkuRecord> {
    return this.tx.client.sku.create({ data, select: COLUMNS });
  }

  /**
   * Price and stock change in ONE conditional statement. The WHERE clause is the guard: a
   * concurrent lock may raise locked_stock between any read and this write, so "stock stays
   * ≥ locked_stock" must be decided by the row as it is when the UPDATE runs. Zero rows → refused.
   */
  async adjust(id: number, price: number | null, stockDelta: number): Promise<SkuRecord | null> {
    const rows = await this.tx.client.$queryRaw<
      Array<{ id: number; spu_id: number | null; title: string; price: number; stock: number; locked_stock: number }>
    >`
      UPDATE skus
         SET price = COALESCE(${price}::integer, price),
             stock = stock + ${stockDelta}::integer,
             updated_at = now()
       WHERE id = ${id}
         AND stock + ${stockDelta}::integer >= locked_stock
         AND stock + ${stockDelta}::integer <= ${MAX_STOCK}
      RETURNING id, spu_id, title, price, stock, locked_stock`;
    const r = rows[0];
    return r ? { id: r.id, spuId: r.spu_id, title: r.title, price: r.price, stock: r.stock, lockedStock: r.locked_stock } : null;
  }
}
