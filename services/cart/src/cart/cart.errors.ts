import { DomainError } from '@shop/shared';
import { MAX_LINE_QUANTITY } from '@shop/shared/nest';
import { MAX_DISTINCT_ITEMS } from './cart.repository';

export class CartItemNotFoundError extends DomainError {
  constructor(skuId: number) {
    super('CART.ITEM_NOT_FOUND', 'That SKU is not in the cart', { skuId });
  }
}

export class CartQuantityLimitError extends DomainError {
  constructor(skuId: number) {
    super('CART.QUANTITY_LIMIT', `An item's quantity cannot exceed ${MAX_LINE_QUANTITY}`, { skuId, max: MAX_LINE_QUANTITY });
  }
}

export class CartTooManyItemsError extends DomainError {
  constructor() {
    super('CART.TOO_MANY_ITEMS', `A cart holds at most ${MAX_DISTINCT_ITEMS} distinct items`, { max: MAX_DISTINCT_ITEMS });
  }
}
