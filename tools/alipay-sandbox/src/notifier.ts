/** Delivers async notifications to merchants' notify_url with Alipay's retry schedule, plus
 * fault injection (drop / duplicate / delay / reorder) for testing merchant idempotency.
 *
 * Every pending delivery lives in the persisted store with its `nextAt`, so a restart simply
 * re-arms the timers; an attempt interrupted by stop() is not recorded and is re-sent on the
 * next start (at-least-once, like Alipay). Fault settings are deliberately NOT persisted: a
 * restart comes back clean. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Params } from './signing';
import type { Delivery, NotificationAttempt, StateStore } from './store';
import type { Enqueuer } from './trades';

/** Alipay: 8 attempts in all, each after this delay from the previous one (first immediate). */
export const RETRY_DELAYS_MS = [0, 4, 10, 10, 60, 120, 360, 900].map((min) => min * 60_000);

const MAX_TIMER_MS = 2_147_483_647;

export interface Faults {
  /** Drop the next N attempts (recorded as dropped, counted as failed → normal retries). */
  dropNext: number;
  /** Send every attempt K extra times concurrently (each copy recorded). */
  duplicate: number;
  /** Wait this long (real ms, not scaled) before each attempt. */
  delayMs: number;
  /** Hold attempts and release them newest-first (sequentially) when reorder is switched off,
   * faults are cleared, or `reorderWindowMs` after the first held attempt. */
  reorder: boolean;
  reorderWindowMs: number;
}

export const defaultFaults = (): Faults => ({ dropNext: 0, duplicate: 0, delayMs: 0, reorder: false, reorderWindowMs: 1000 });

const LIMITS: Record<Exclude<keyof Faults, 'reorder'>, [number, number]> = {
  dropNext: [0, 1000],
  duplicate: [0, 100],
  delayMs: [0, 600_000],
  reorderWindowMs: [1, 600_000],
};

/** Validates a POST /sandbox/faults body; returns an error message or the patch. */
export function parseFaultsPatch(body: unknown): Partial<Faults> | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'body must be a JSON object';
  }
  const patch: Partial<Faults> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'reorder') {
      if (typeof value !== 'boolean') {
        return 'reorder must be a boolean';
      }
      patch.reorder = value;
    } else if (key in LIMITS) {
      const [min, max] = LIMITS[key as keyof typeof LIMITS];
      if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
        return `${key} must be an integer ${min}-${max}`;
      }
      patch[key as keyof typeof LIMITS] = value as number;
    } else {
      return `unknown fault "${key}" (allowed: dropNext, duplicate, delayMs, reorder, reorderWindowMs)`;
    }
  }
  return patch;
}

interface SendResult {
  httpStatus: number | null;
  body: string | null;
  error?: string;
}

export class Notifier implements Enqueuer {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private abort = new AbortController();
  private stopped = true;
  private faults = defaultFaults();
  private held: Array<{ id: string; attemptNo: number }> = [];
  private holdTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: StateStore,
    private readonly opts: { timeScale: number; requestTimeoutMs?: number; now?: () => number },
  ) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Re-arms every persisted pending delivery (overdue ones fire immediately). */
  start(): void {
    this.stopped = false;
    this.abort = new AbortController();
    for (const d of this.store.deliveries.values()) {
      this.schedule(d);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) {
      clearTimeout(t);
    }
    this.timers.clear();
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.held = []; // still pending in the store; re-sent after the next start
    this.abort.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  enqueue(outTradeNo: string, url: string, params: Params): void {
    const d: Delivery = { notifyId: params.notify_id, outTradeNo, url, params, attempts: 0, nextAt: this.now() };
    this.store.deliveries.set(d.notifyId, d);
    this.schedule(d);
  }

  /** Forget pending work (used by /sandbox/reset; the store is cleared by the caller). */
  cancelAll(): void {
    for (const t of this.timers.values()) {
      clearTimeout(t);
    }
    this.timers.clear();
    this.held = [];
  }

  getFaults(): Faults {
    return { ...this.faults };
  }

  setFaults(patch: Partial<Faults>): Faults {
    this.faults = { ...this.faults, ...patch };
    if (!this.faults.reorder) {
      this.releaseHeld();
    }
    return this.getFaults();
  }

  clearFaults(): Faults {
    this.faults = defaultFaults();
    this.releaseHeld();
    return this.getFaults();
  }

  private schedule(d: Delivery): void {
    if (this.stopped) {
      return;
    }
    clearTimeout(this.timers.get(d.notifyId));
    // setTimeout overflows past ~24.8 days (possible with a large SANDBOX_TIME_SCALE): clamp,
    // and attempt() re-arms when it wakes up early.
    const delay = Math.min(Math.max(0, d.nextAt - this.now()), MAX_TIMER_MS);
    const timer = setTimeout(() => this.track(this.attempt(d.notifyId)), delay);
    timer.unref(); // the HTTP server keeps the process alive; timers alone must not
    this.timers.set(d.notifyId, timer);
  }

  private track(p: Promise<void>): void {
    const guarded = p.catch((err: unknown) => console.error('[alipay-sandbox] notification delivery failed:', err));
    this.inFlight.add(guarded);
    void guarded.finally(() => this.inFlight.delete(guarded));
  }

  private async attempt(id: string): Promise<void> {
    this.timers.delete(id);
    const d = this.store.deliveries.get(id);
    if (!d || this.stopped) {
      return;
    }
    if (d.nextAt - this.now() > 1000) {
      return this.schedule(d);
    } // woke up from a clamped timer
    const attemptNo = d.attempts + 1;
    if (this.faults.delayMs > 0) {
      try {
        await sleep(this.faults.delayMs, undefined, { signal: this.abort.signal });
      } catch {
        return; // stopped while waiting
      }
    }
    if (this.faults.reorder) {
      this.held.push({ id, attemptNo });
      this.holdTimer ??= setTimeout(() => this.releaseHeld(), this.faults.reorderWindowMs).unref();
      return;
    }
    await this.send(id, attemptNo);
  }

  private releaseHeld(): void {
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    const batch = this.held.reverse();
    this.held = [];
    if (batch.length === 0) {
      return;
    }
    // Sequential so the merchant observes exactly the reversed order.
    this.track(
      (async () => {
        for (const h of batch) {
          await this.send(h.id, h.attemptNo);
        }
      })(),
    );
  }

  private async send(id: string, attemptNo: number): Promise<void> {
    const d = this.store.deliveries.get(id);
    if (!d || this.stopped) {
      return;
    }
    const trade = this.store.trades.get(d.outTradeNo);
    const log = (r: SendResult & { dropped: boolean; duplicate: boolean }): void => {
      const entry: NotificationAttempt = {
        notifyId: id,
        tradeStatus: d.params.trade_status ?? '',
        at: this.now(),
        attempt: attemptNo,
        ...r,
      };
      if (entry.error === undefined) {
        delete entry.error;
      }
      trade?.notifications.push(entry);
    };

    let acked = false;
    if (this.faults.dropNext > 0) {
      this.faults.dropNext -= 1;
      log({ httpStatus: null, body: null, dropped: true, duplicate: false });
    } else {
      const copies = 1 + this.faults.duplicate;
      const results = await Promise.all(Array.from({ length: copies }, () => this.post(d)));
      if (this.stopped) {
        return;
      } // interrupted: leave the delivery as it was, re-sent on restart
      results.forEach((r, i) => log({ ...r, dropped: false, duplicate: i > 0 }));
      // Alipay's rule: only the exact body "success" acknowledges (HTTP status is irrelevant).
      acked = results.some((r) => r.body === 'success');
    }

    d.attempts = attemptNo;
    if (acked || attemptNo >= RETRY_DELAYS_MS.length) {
      this.store.deliveries.delete(id); // acknowledged, or the 8th attempt failed: give up
    } else {
      d.nextAt = this.now() + RETRY_DELAYS_MS[attemptNo] * this.opts.timeScale;
      this.schedule(d);
    }
    this.store.save(d, ...(trade ? [trade] : []));
  }

  private async post(d: Delivery): Promise<SendResult> {
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: new URLSearchParams(d.params).toString(),
        redirect: 'manual',
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.opts.requestTimeoutMs ?? 15_000)]),
      });
      return { httpStatus: res.status, body: await res.text() };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      return { httpStatus: null, body: null, error: e.cause?.code ?? e.name ?? String(err) };
    }
  }
}
