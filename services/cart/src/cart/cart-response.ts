import type { CatalogSku } from '../infrastructure/inventory.client';
import type { StoredCartItem } from './cart.repository';

export interface CartItemResponseDto {
  skuId: number;
  title: string;
  unitPrice: number;
  quantity: number;
  checked: boolean;
  subtotal: number;
  /** Units inventory can still sell now (the SKU's `available`); 0 for a SKU that disappeared. */
  available: number;
}

export interface CartResponseDto {
  items: CartItemResponseDto[];
  checkedTotal: number;
}

/** Prices and titles are the catalog's current ones, never stored in the cart. */
export function toCartResponse(items: StoredCartItem[], catalog: Map<number, CatalogSku>): CartResponseDto {
  const rows = items.map((item) => {
    const sku = catalog.get(item.skuId);
    const unitPrice = sku?.price ?? 0;
    return {
      skuId: item.skuId,
      title: sku?.title ?? '',
      unitPrice,
      quantity: item.quantity,
      checked: item.checked,
      subtotal: unitPrice * item.quantity,
      available: sku?.available ?? 0,
    };
  });
  const checkedTotal = rows.filter((r) => r.checked && catalog.has(r.skuId)).reduce((sum, r) => sum + r.subtotal, 0);
  return { items: rows, checkedTotal };
}
