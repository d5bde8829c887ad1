import { DomainError } from '@shop/shared';

export class PaymentNotFoundError extends DomainError {
  constructor(orderSn: string) {
    super('PAYMENT.NOT_FOUND', 'No payment for this order', { orderSn });
  }
}

export class PaymentInProgressError extends DomainError {
  constructor(orderSn: string) {
    super('PAYMENT.IN_PROGRESS', 'A payment for this order is being processed; retry shortly', { orderSn });
  }
}

export class AlreadyPaidError extends DomainError {
  constructor(orderSn: string) {
    super('PAYMENT.ALREADY_PAID', 'This order is already paid', { orderSn });
  }
}

export class OrderNotPayableError extends DomainError {
  constructor(orderSn: string, reason: string) {
    super('ORDER.NOT_PAYABLE', 'This order cannot be paid', { orderSn, reason });
  }
}

export class OrderNotFoundError extends DomainError {
  constructor(orderSn: string) {
    super('ORDER.NOT_FOUND', 'No such order', { orderSn });
  }
}
