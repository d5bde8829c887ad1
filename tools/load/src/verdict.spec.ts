import { LoadReport, verdictOf } from './run';

/** The verdict must SEE an oversell: a run that sold more than the shelf held fails, and says why. */
describe('load verdict', () => {
  const base = (over: Partial<LoadReport> = {}): LoadReport =>
    ({
      outcomes: { 'POST /orders 201': 10, 'POST /orders 409 INVENTORY.INSUFFICIENT_STOCK': 5 },
      orders: { attempted: 15, placed: 10, duplicatesAccepted: 0 },
      settlement: {
        paid: 4,
        cancelled: 6,
        unsettled: [],
        settleSeconds: 1,
        skus: [{ id: 1, initialStock: 10, granted: 10, paidUnits: 4, stock: 6, lockedStock: 0 }],
      },
      oversoldUnits: 0,
      checker: { ok: true, violations: 0, text: 'consistent' },
      ...over,
    }) as LoadReport;

  it('passes a clean run', () => {
    expect(verdictOf(base())).toEqual({ ok: true, problems: [] });
  });

  it('fails on oversold units, duplicate orders, a shelf that disagrees, unrefunded late payments, unsettled orders, 5xx and checker violations', () => {
    const v = verdictOf(
      base({
        oversoldUnits: 2,
        orders: { attempted: 15, placed: 12, duplicatesAccepted: 1 },
        outcomes: { 'POST /orders 500 INTERNAL': 3, 'POST /orders 0 TIMEOUT': 1 },
        settlement: {
          paid: 4,
          cancelled: 6,
          refunded: 0,
          latePayments: 1,
          unsettled: ['42'],
          settleSeconds: 1,
          skus: [{ id: 1, initialStock: 10, granted: 12, paidUnits: 4, stock: 5, lockedStock: 1 }],
        },
        checker: { ok: false, violations: 2, text: '' },
      }),
    );
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([
      '2 units oversold',
      '1 tokens yielded more than one order',
      'SKU 1: stock 5, locked 1 after settling; expected 6 and 0',
      '1 late payments not refunded',
      '1 orders neither PAID nor CANCELLED',
      '3 × POST /orders 500 INTERNAL',
      '1 × POST /orders 0 TIMEOUT',
      'consistency checker: 2 violations',
    ]);
  });
});
