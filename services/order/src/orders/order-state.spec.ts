import { canTransition, ORDER_TRANSITIONS, OrderStatus } from './order-state';

describe('order state machine', () => {
  const all: OrderStatus[] = ['UNPAID', 'PAID', 'CANCELLED'];

  it('allows exactly UNPAID → PAID and UNPAID → CANCELLED', () => {
    const allowed = all.flatMap((from) => all.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`));
    expect(allowed.sort()).toEqual(['UNPAID→CANCELLED', 'UNPAID→PAID']);
  });

  it('has terminal PAID and CANCELLED states', () => {
    expect(ORDER_TRANSITIONS.PAID).toEqual([]);
    expect(ORDER_TRANSITIONS.CANCELLED).toEqual([]);
  });
});
