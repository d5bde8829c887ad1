import { PAYMENT_TRANSITIONS, sourcesOf } from './payment-state';

describe('payment state machine', () => {
  it('money can arrive for a pending or a closed trade, and only paid money is refunded', () => {
    expect(sourcesOf('PAID').sort()).toEqual(['CLOSED', 'PENDING']);
    expect(sourcesOf('CLOSED')).toEqual(['PENDING']);
    expect(sourcesOf('REFUNDED')).toEqual(['PAID']);
  });

  it('never un-pays: PAID and REFUNDED cannot become PENDING or CLOSED', () => {
    expect(PAYMENT_TRANSITIONS.PAID).toEqual(['REFUNDED']);
    expect(PAYMENT_TRANSITIONS.REFUNDED).toEqual([]);
    expect(sourcesOf('PENDING')).toEqual([]);
  });
});
