import { ApiProperty } from '@nestjs/swagger';
import { OrderLineDto } from '@shop/shared/nest';
import type { CatalogSku } from '../infrastructure/inventory.client';
import type { StoredCartItem } from './cart.repository';

export class CartItemResponseDto {
  @ApiProperty({ type: 'integer', example: 5 })
  skuId!: number;

  @ApiProperty({ example: 'Tea cup, celadon', description: "the catalog's current title ('' for a SKU that disappeared)" })
  title!: string;

  @ApiProperty({ type: 'integer', example: 4440, description: "the catalog's current price, integer cents" })
  unitPrice!: number;

  @ApiProperty({ type: 'integer', example: 2, minimum: 1, maximum: 999 })
  quantity!: number;

  @ApiProperty({ example: true, description: 'checked items are what GET /orders/confirm (without skuId) orders' })
  checked!: boolean;

  @ApiProperty({ type: 'integer', example: 8880, description: 'unitPrice × quantity, integer cents' })
  subtotal!: number;

  /** Units inventory can still sell now (the SKU's `available`); 0 for a SKU that disappeared. */
  @ApiProperty({
    type: 'integer',
    example: 17,
    description: "units inventory can still sell now (the SKU's available); 0 for a SKU that disappeared",
  })
  available!: number;
}

export class CartResponseDto {
  @ApiProperty({ type: [CartItemResponseDto] })
  items!: CartItemResponseDto[];

  @ApiProperty({ type: 'integer', example: 8880, description: 'Σ subtotal of the checked items that still exist, integer cents' })
  checkedTotal!: number;
}

/** The order service's view of a cart: what the buyer ticked, without prices. */
export class CheckedCartItemsResponseDto {
  @ApiProperty({ type: [OrderLineDto] })
  items!: OrderLineDto[];
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
