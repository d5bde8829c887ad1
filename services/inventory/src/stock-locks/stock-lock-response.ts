import type { OrderLine } from '@shop/shared';

export type StockLockStatus = 'LOCKED' | 'DEDUCTED' | 'RELEASED';

export interface StockLockRecord {
  skuId: number;
  quantity: number;
  status: StockLockStatus;
  expiresAt: Date;
}

export interface StockLockItemResponseDto {
  skuId: number;
  quantity: number;
  status: StockLockStatus;
  expiresAt: string;
}

/** A locked line's catalog price when the lock was asked for at an `expectedTotal`: the order's price snapshot. */
export interface LinePrice {
  skuId: number;
  title: string;
  unitPrice: number;
}

export interface StockLockResponseDto {
  orderSn: string;
  items: StockLockItemResponseDto[];
  /** Only when the request carried `expectedTotal`: the prices that total was checked against, by skuId. */
  prices?: LinePrice[];
}

export function toStockLockResponse(orderSn: string, locks: StockLockRecord[], prices?: LinePrice[]): StockLockResponseDto {
  return {
    orderSn,
    items: locks.map((l) => ({ skuId: l.skuId, quantity: l.quantity, status: l.status, expiresAt: l.expiresAt.toISOString() })),
    ...(prices ? { prices } : {}),
  };
}

/** One canonical form of a request's items (sorted by skuId), used for locking order and for replay comparison. */
export function sortedLines(items: OrderLine[]): OrderLine[] {
  return items.map((i) => ({ skuId: i.skuId, quantity: i.quantity })).sort((a, b) => a.skuId - b.skuId);
}

export function sameLines(a: OrderLine[], b: OrderLine[]): boolean {
  return a.length === b.length && a.every((x, i) => x.skuId === b[i].skuId && x.quantity === b[i].quantity);
}
