/** Money and time formats used on Alipay's wire. Amounts are kept as integer fen (cents)
 * internally so refund sums never suffer floating-point drift; times are rendered in China
 * Standard Time (UTC+8, no DST), which is how Alipay writes and reads every timestamp. */

export const MAX_CENTS = 100_000_000_00; // Alipay's upper bound: 100000000.00 yuan
const CST_OFFSET_MS = 8 * 60 * 60 * 1000;

/** "88.80" / "88.8" / 88.8 → 8880; anything else (negative, 3 decimals, 0, too big) → null. */
export function yuanToCents(value: unknown): number | null {
  let text: string;
  if (typeof value === 'number' && Number.isFinite(value)) {
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return null;
  }
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) {
    return null;
  }
  const cents = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return cents >= 1 && cents <= MAX_CENTS ? cents : null;
}

/** 8880 → "88.80" (Alipay always returns two decimals). */
export function centsToYuan(cents: number): string {
  const whole = Math.floor(cents / 100);
  const frac = String(cents % 100).padStart(2, '0');
  return `${whole}.${frac}`;
}

/** Epoch ms → "yyyy-MM-dd HH:mm:ss" in UTC+8. */
export function formatCst(ms: number): string {
  return new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** "yyyy-MM-dd HH:mm:ss" read as UTC+8 → epoch ms, or null when malformed/impossible. */
export function parseCst(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) {
    return null;
  }
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - CST_OFFSET_MS;
  // Date.UTC normalises 2024-02-31 to March; the round trip rejects such dates.
  return formatCst(ms) === text.trim() ? ms : null;
}

/** Alipay's relative timeout: "90m", "2h", "1d" (1m..15d), or "1c" = end of the current day in
 * UTC+8. Returns the absolute expiry in epoch ms, or null when malformed/out of range. */
export function parseTimeoutExpress(text: string, now: number): number | null {
  const m = /^(\d+)([mhdc])$/.exec(text.trim());
  if (!m) {
    return null;
  }
  const n = Number(m[1]);
  const unit = m[2];
  if (unit === 'c') {
    if (n !== 1) {
      return null;
    }
    const dayStart = Math.floor((now + CST_OFFSET_MS) / 86_400_000) * 86_400_000 - CST_OFFSET_MS;
    return dayStart + 86_400_000;
  }
  const minutes = unit === 'm' ? n : unit === 'h' ? n * 60 : n * 1440;
  if (minutes < 1 || minutes > 15 * 1440) {
    return null;
  }
  return now + minutes * 60_000;
}

/** Alipay's page-pay default when neither time_expire nor timeout_express is sent. */
export const DEFAULT_TIMEOUT_MS = 15 * 24 * 60 * 60 * 1000;
