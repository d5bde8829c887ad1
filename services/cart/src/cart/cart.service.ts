import { Injectable } from '@nestjs/common';
import { ValidationFailedError } from '@shop/shared';
import { InventoryClient } from '../infrastructure/inventory.client';
import { CartResponseDto, toCartResponse } from './cart-response';
import { CartItemNotFoundError, CartQuantityLimitError, CartTooManyItemsError } from './cart.errors';
import { CartRepository } from './cart.repository';
import { UpdateCartItemDto } from './dto/cart-item.dto';

@Injectable()
export class CartService {
  constructor(
    private readonly carts: CartRepository,
    private readonly inventory: InventoryClient,
  ) {}

  async get(userId: number): Promise<CartResponseDto> {
    const items = await this.carts.items(userId);
    return toCartResponse(items, await this.inventory.getSkus(items.map((i) => i.skuId)));
  }

  async add(userId: number, skuId: number, quantity: number): Promise<CartResponseDto> {
    await this.inventory.getSku(skuId); // unknown SKU → INVENTORY.SKU_NOT_FOUND, nothing stored
    const outcome = await this.carts.add(userId, skuId, quantity);
    if (outcome === 'QUANTITY_LIMIT') {
      throw new CartQuantityLimitError(skuId);
    }
    if (outcome === 'TOO_MANY_ITEMS') {
      throw new CartTooManyItemsError();
    }
    return this.get(userId);
  }

  async update(userId: number, skuId: number, change: UpdateCartItemDto): Promise<CartResponseDto> {
    if (change.quantity === undefined && change.checked === undefined) {
      throw new ValidationFailedError('Give quantity and/or checked');
    }
    if (!(await this.carts.update(userId, skuId, change))) {
      throw new CartItemNotFoundError(skuId);
    }
    return this.get(userId);
  }

  async remove(userId: number, skuId: number): Promise<CartResponseDto> {
    if ((await this.carts.remove(userId, [skuId])) === 0) {
      throw new CartItemNotFoundError(skuId);
    }
    return this.get(userId);
  }

  /** For the order service's confirm page: what the buyer ticked, without prices (order re-reads them). */
  async checkedItems(userId: number): Promise<Array<{ skuId: number; quantity: number }>> {
    return (await this.carts.items(userId)).filter((i) => i.checked).map((i) => ({ skuId: i.skuId, quantity: i.quantity }));
  }
}
