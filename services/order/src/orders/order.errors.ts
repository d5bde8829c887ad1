import { DomainError } from '@shop/shared';

export class OrderNotFoundError extends DomainError {
  constructor(orderSn: string) {
    super('ORDER.NOT_FOUND', 'No such order', { orderSn });
  }
}

export class DuplicateSubmitError extends DomainError {
  constructor() {
    super('ORDER.DUPLICATE_SUBMIT', 'This order token was already used, has expired or does not exist; confirm again');
  }
}

export class PriceChangedError extends DomainError {
  constructor(expectedTotal: number, currentTotal: number) {
    super('ORDER.PRICE_CHANGED', 'Prices changed since confirmation', { expectedTotal, currentTotal });
  }
}

export class EmptyOrderError extends DomainError {
  constructor() {
    super('ORDER.EMPTY', 'Nothing to order: no item is checked in the cart');
  }
}
