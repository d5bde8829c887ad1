/**
 * Money is integer cents everywhere; only Alipay's wire format uses yuan strings ("88.80").
 * Conversions are string-based so no float ever touches an amount.
 */
export function assertCents(value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`amount must be a non-negative integer of cents, got ${value}`);
  }
}

export function centsToYuan(cents: number): string {
  assertCents(cents);
  const whole = Math.trunc(cents / 100);
  const frac = cents % 100;
  return `${whole}.${frac.toString().padStart(2, '0')}`;
}

const YUAN = /^(0|[1-9]\d{0,12})(?:\.(\d{1,2}))?$/;

/** Parses Alipay's yuan string; returns null for anything that is not a plain amount. */
export function yuanToCents(yuan: string): number | null {
  const m = YUAN.exec(yuan);
  if (!m) {
    return null;
  }
  const frac = (m[2] ?? '').padEnd(2, '0');
  return Number(m[1]) * 100 + Number(frac);
}

export function sumCents(values: readonly number[]): number {
  const total = values.reduce((a, b) => a + b, 0);
  assertCents(total);
  return total;
}
