import { centsToYuan, formatCst, parseCst, parseTimeoutExpress, yuanToCents } from './format';

describe('money', () => {
  it.each([
    ['88.80', 8880],
    ['88.8', 8880],
    ['0.01', 1],
    ['100', 10000],
    [88.8, 8880],
    ['100000000.00', 10_000_000_000],
  ])('parses %p as %p fen', (input, cents) => expect(yuanToCents(input)).toBe(cents));

  it.each(['0', '0.00', '-1', '1.001', '1e3', 'abc', '', '100000000.01', null, {}, Number.NaN])('rejects %p', (input) => {
    expect(yuanToCents(input)).toBeNull();
  });

  it('formats with two decimals', () => {
    expect(centsToYuan(8880)).toBe('88.80');
    expect(centsToYuan(1)).toBe('0.01');
    expect(centsToYuan(100)).toBe('1.00');
  });
});

describe('UTC+8 times', () => {
  it('formats and parses "yyyy-MM-dd HH:mm:ss" as China Standard Time', () => {
    const ms = Date.UTC(2024, 0, 31, 16, 30, 5); // 2024-02-01 00:30:05 in UTC+8
    expect(formatCst(ms)).toBe('2024-02-01 00:30:05');
    expect(parseCst('2024-02-01 00:30:05')).toBe(ms);
  });

  it.each(['2024-02-31 10:00:00', '2024-1-01 10:00:00', '2024-01-01T10:00:00', '2024-01-01 24:00:00'])('rejects %p', (s) => {
    expect(parseCst(s)).toBeNull();
  });

  it('parses timeout_express relative to now', () => {
    const now = Date.UTC(2024, 0, 1, 0, 0, 0); // 08:00 in UTC+8
    expect(parseTimeoutExpress('90m', now)).toBe(now + 90 * 60_000);
    expect(parseTimeoutExpress('2h', now)).toBe(now + 2 * 3_600_000);
    expect(parseTimeoutExpress('15d', now)).toBe(now + 15 * 86_400_000);
    expect(parseTimeoutExpress('1c', now)).toBe(Date.UTC(2024, 0, 1, 16, 0, 0)); // next midnight UTC+8
    for (const bad of ['0m', '16d', '1.5h', '2c', 'm']) {
      expect(parseTimeoutExpress(bad, now)).toBeNull();
    }
  });
});
