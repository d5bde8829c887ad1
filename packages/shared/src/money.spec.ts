import { centsToYuan, sumCents, yuanToCents } from './money';

describe('money', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [8880, '88.80'],
    [123456789, '1234567.89'],
  ])('%i cents is %s yuan and back', (cents, yuan) => {
    expect(centsToYuan(cents)).toBe(yuan);
    expect(yuanToCents(yuan)).toBe(cents);
  });

  it('parses short fractions and refuses anything that is not a plain amount', () => {
    expect(yuanToCents('88.8')).toBe(8880);
    expect(yuanToCents('88')).toBe(8800);
    for (const bad of ['', '-1.00', '1.001', '01.00', '1e3', ' 1.00', '1,00', 'NaN']) {
      expect(yuanToCents(bad)).toBeNull();
    }
  });

  it('refuses fractional or negative cents', () => {
    expect(() => centsToYuan(1.5)).toThrow(RangeError);
    expect(() => centsToYuan(-1)).toThrow(RangeError);
    expect(() => sumCents([Number.MAX_SAFE_INTEGER, 1])).toThrow(RangeError);
  });
});
