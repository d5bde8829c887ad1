import { DomainError } from '@shop/shared';

export type OrderStatus = 'UNPAID' | 'PAID' | 'CANCELLED';

/**
 * The order state machine, as data. UNPAID → PAID and UNPAID → CANCELLED; nothing else — in
 * particular a CANCELLED order never becomes PAID (a late payment is refunded instead).
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  UNPAID: ['PAID', 'CANCELLED'],
  PAID: [],
  CANCELLED: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

export class InvalidTransitionError extends DomainError {
  constructor(orderSn: string, from: OrderStatus, to: OrderStatus) {
    super('ORDER.INVALID_TRANSITION', `Order cannot go from ${from} to ${to}`, { orderSn, from, to });
  }
}
