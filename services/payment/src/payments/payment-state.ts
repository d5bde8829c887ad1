import type { PaymentStatus } from '../generated/prisma/client';

/**
 * The payment state machine, as data. CLOSED → PAID exists because money can arrive for a trade
 * we closed (the buyer's payment crossed our close): it is recorded as received — never lost —
 * and PaymentSucceeded lets the order side reject it, which leads to the refund (PAID → REFUNDED).
 */
export const PAYMENT_TRANSITIONS: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  PENDING: ['PAID', 'CLOSED'],
  CLOSED: ['PAID'],
  PAID: ['REFUNDED'],
  REFUNDED: [],
};

/** The statuses from which `to` can be reached: the WHERE clause of the conditional UPDATE. */
export function sourcesOf(to: PaymentStatus): PaymentStatus[] {
  return (Object.keys(PAYMENT_TRANSITIONS) as PaymentStatus[]).filter((from) => PAYMENT_TRANSITIONS[from].includes(to));
}
