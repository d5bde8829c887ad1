import { Injectable } from '@nestjs/common';
import { ValidationFailedError } from '@shop/shared';
import { CreateSkuDto, MAX_STOCK, UpdateSkuDto } from './dto/sku.dto';
import { SkuRecord } from './sku-response';
import { SkuNotFoundError, StockBelowLockedError, StockLimitError } from './sku.errors';
import { SkuRepository } from './sku.repository';

export const CATALOG_PAGE = 100;

@Injectable()
export class SkusService {
  constructor(private readonly skus: SkuRepository) {}

  /** Unknown ids are left out; without ids, the first 100 SKUs (a small catalog browse). */
  list(ids: number[] | null): Promise<SkuRecord[]> {
    return ids ? this.skus.findByIds([...new Set(ids)]) : this.skus.list(CATALOG_PAGE);
  }

  async get(id: number): Promise<SkuRecord> {
    const sku = await this.skus.findById(id);
    if (!sku) {
      throw new SkuNotFoundError(id);
    }
    return sku;
  }

  create(dto: CreateSkuDto): Promise<SkuRecord> {
    return this.skus.create({ spuId: dto.spuId ?? null, title: dto.title, price: dto.price, stock: dto.stock });
  }

  async update(id: number, dto: UpdateSkuDto): Promise<SkuRecord> {
    if (dto.price == null && dto.stockDelta == null) {
      throw new ValidationFailedError('Give price and/or stockDelta');
    }
    const delta = dto.stockDelta ?? 0;
    const updated = await this.skus.adjust(id, dto.price ?? null, delta);
    if (updated) {
      return updated;
    }
    // The statement refused: explain why from the current row (for the message only).
    const current = await this.get(id);
    if (current.stock + delta > MAX_STOCK) {
      throw new StockLimitError(id, MAX_STOCK);
    }
    throw new StockBelowLockedError(id, current.stock, current.lockedStock, delta);
  }
}
