/** What the checker is asked (CheckOptions) and what it answers (Report). */

/** Every rule the checker knows, in the order a report lists them (SPEC §10). */
export const RULES = [
  'stock.bounds',
  'stock.locked-sum',
  'lock.orphan',
  'order.paid',
  'order.unpaid-locks',
  'order.cancelled',
  'refund.missing',
  'refund.exactly-once',
  'payment.orphan',
  'outbox.stale',
  'dlq.unresolved',
  // The two below say "could not look", so that an unreachable source is never read as "all fine".
  'dlq.unreadable',
  'sandbox.unreadable',
] as const;

export type RuleName = (typeof RULES)[number];

export type Ids = Record<string, string | number>;

export interface Violation {
  rule: RuleName;
  message: string;
  ids: Ids;
}

export interface Report {
  ok: boolean;
  violations: Violation[];
  checked: Record<string, number>;
}

export interface CheckOptions {
  inventoryDatabaseUrl: string;
  orderDatabaseUrl: string;
  paymentDatabaseUrl: string;
  /** The Alipay sandbox's public URL; without it the sandbox-side refund checks are skipped. */
  sandboxUrl?: string;
  /** Without it the dead-letter topics are not read. */
  kafka?: { brokers: string; topicPrefix: string };
  /** Where cart keeps its inbox; without it a cart dead letter counts as unresolved. */
  redis?: { url: string; keyPrefix: string };
  /** An unpublished outbox row older than this is stale. Default 30. */
  outboxMaxAgeSeconds?: number;
  /**
   * Cross-service flows touched more recently than this are in flight and not judged (a live
   * system always has some). Default 0. Never applied to the SKU arithmetic, which one database
   * transaction keeps exact at every instant.
   */
  settleSeconds?: number;
  /** Bound on reading the dead-letter topics. Default 10 000. */
  kafkaTimeoutMs?: number;
}

/** The order a report lists its counts in, whichever rule finished first. */
const CHECKED = ['skus', 'locks', 'orders', 'payments', 'outboxRows', 'dlqEntries', 'sandboxTrades', 'inFlightSkipped'];

export const DEFAULT_OUTBOX_MAX_AGE_SECONDS = 30;
export const DEFAULT_SETTLE_SECONDS = 0;
export const DEFAULT_KAFKA_TIMEOUT_MS = 10_000;

/** Collects violations and counts while the rules run; `report()` freezes them in rule order. */
export class Findings {
  private readonly violations: Violation[] = [];
  private readonly counts: Record<string, number> = {};

  add(rule: RuleName, message: string, ids: Ids): void {
    this.violations.push({ rule, message, ids });
  }

  count(what: string, n = 1): void {
    this.counts[what] = (this.counts[what] ?? 0) + n;
  }

  report(): Report {
    const order = (v: Violation): number => RULES.indexOf(v.rule);
    // Array.prototype.sort is stable, so within a rule the violations keep their discovery order.
    const violations = [...this.violations].sort((a, b) => order(a) - order(b));
    const known = (k: string): number => (CHECKED.includes(k) ? CHECKED.indexOf(k) : CHECKED.length);
    const checked = Object.fromEntries(Object.entries(this.counts).sort(([a], [b]) => known(a) - known(b)));
    return { ok: violations.length === 0, violations, checked };
  }
}
