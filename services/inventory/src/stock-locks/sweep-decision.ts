/** What the order service said about an order whose locks have expired. */
export type OrderLookup =
  | { kind: 'found'; status: string }
  /** `code` is the error code it answered (or UPSTREAM.UNAVAILABLE when it did not answer sensibly). */
  | { kind: 'failed'; code: string };

export type SweepAction = 'release' | 'deduct' | 'leave';

export interface SweepDecision {
  action: SweepAction;
  reason: string;
  /** Set when the answer was not one we expect: leave the locks and tell an operator. */
  warning?: boolean;
  /** The order service is not answering: asking about the rest of the batch now would only wait on timeouts. */
  stopRun?: boolean;
}

/**
 * Expired locks are only touched on a definite answer (SPEC §5). Anything uncertain leaves them
 * LOCKED for the next run: releasing the stock of an order that was in fact paid would oversell,
 * while leaving it a little longer only delays a sale. Note that ROUTE.NOT_FOUND is a 404 too, but
 * says nothing about the order (a misrouted or half-deployed order service), so it is not "no order".
 */
export function decideSweep(lookup: OrderLookup): SweepDecision {
  if (lookup.kind === 'failed') {
    if (lookup.code === 'ORDER.NOT_FOUND') {
      return { action: 'release', reason: 'the order was never created' };
    }
    const stopRun = lookup.code === 'UPSTREAM.UNAVAILABLE';
    return { action: 'leave', reason: `order service answered ${lookup.code}`, warning: true, ...(stopRun ? { stopRun } : {}) };
  }
  switch (lookup.status) {
    case 'CANCELLED':
      return { action: 'release', reason: 'the order was cancelled' };
    case 'PAID':
      return { action: 'deduct', reason: 'the order was paid' };
    case 'UNPAID':
      return { action: 'leave', reason: 'the order is still unpaid' };
    default:
      return { action: 'leave', reason: `unexpected order status ${JSON.stringify(lookup.status)}`, warning: true };
  }
}
