import { DomainError } from '@shop/shared';

export class SkuNotFoundError extends DomainError {
  constructor(skuId: number) {
    super('INVENTORY.SKU_NOT_FOUND', 'No such SKU', { skuId });
  }
}

export class StockBelowLockedError extends DomainError {
  constructor(skuId: number, stock: number, lockedStock: number, stockDelta: number) {
    super('INVENTORY.STOCK_BELOW_LOCKED', 'Stock cannot go below the units locked by open orders', {
      skuId,
      stock,
      lockedStock,
      stockDelta,
    });
  }
}

export class StockLimitError extends DomainError {
  constructor(skuId: number, max: number) {
    super('INVENTORY.STOCK_LIMIT', `Stock cannot exceed ${max}`, { skuId, max });
  }
}
