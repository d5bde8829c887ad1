import { DomainError } from '@shop/shared';

export class InsufficientStockError extends DomainError {
  constructor(skuIds: number[]) {
    super('INVENTORY.INSUFFICIENT_STOCK', 'Not enough stock for every item; nothing was locked', { skuIds });
  }
}

/** The request names SKUs that do not exist (the catalog's SkuNotFoundError names only one). */
export class UnknownSkusError extends DomainError {
  constructor(skuIds: number[]) {
    super('INVENTORY.SKU_NOT_FOUND', 'No such SKU', { skuIds });
  }
}

export class LockNotFoundError extends DomainError {
  constructor(orderSn: string) {
    super('INVENTORY.LOCK_NOT_FOUND', 'No stock locks for this order', { orderSn });
  }
}

/** The orderSn was already used for a lock request with different items. */
export class LockConflictError extends DomainError {
  constructor(orderSn: string) {
    super('INVENTORY.LOCK_CONFLICT', 'This order already has a lock request with different items', { orderSn });
  }
}

/** A lock asked for at an `expectedTotal` the catalog's current prices no longer give; nothing was locked. */
export class LockPriceChangedError extends DomainError {
  constructor(expectedTotal: number, currentTotal: number) {
    super('INVENTORY.PRICE_CHANGED', 'The current prices give another total; nothing was locked', { expectedTotal, currentTotal });
  }
}
