/** Sandbox state (trades + pending notification deliveries) kept in memory and persisted, so
 * pending deliveries and paid trades survive a restart (or a SIGKILL). Two files in the data dir:
 *   - `state.json`, a snapshot of everything, written atomically (tmp file + fsync + rename): a
 *     crash leaves either the old or the new snapshot, never a torn file;
 *   - `journal.jsonl`, one line per changed trade or delivery (its whole new state, or its removal),
 *     appended and fsynced by every `save` before the change is answered.
 * Loading reads the snapshot, then replays the journal (last line per key wins; a torn last line —
 * a crash mid-append — is skipped), and compacts: a new snapshot, an empty journal. A stop compacts
 * too. Before the journal every change rewrote the whole snapshot: O(trades) per change, so a soak
 * of thousands of trades left the sandbox busy rewriting a growing file, answering refunds late.
 * Synchronous on purpose — this keeps ordering trivially correct without a write queue. One data
 * dir belongs to one sandbox process. */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Params } from './signing';

/** Alipay trade_status values. TRADE_FINISHED (no more refunds) is never reached here. */
export type TradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED' | 'TRADE_FINISHED';

export interface RefundRecord {
  outRequestNo: string;
  refundCents: number;
  at: number;
  reason?: string;
}

/** One HTTP delivery attempt (or one dropped/duplicated copy) of a notification. */
export interface NotificationAttempt {
  notifyId: string;
  tradeStatus: string;
  at: number;
  /** 1-based attempt number within the retry schedule; duplicates share it. */
  attempt: number;
  httpStatus: number | null;
  /** The merchant's reply body (null when dropped or the request failed). */
  body: string | null;
  /** Fault injection swallowed this attempt: nothing was sent. */
  dropped: boolean;
  /** An extra copy sent by the `duplicate` fault. */
  duplicate: boolean;
  error?: string;
}

export interface Trade {
  outTradeNo: string;
  /** Assigned when the buyer pays (Alipay creates it when the buyer acts on the cashier). */
  tradeNo: string | null;
  status: TradeStatus;
  totalCents: number;
  subject: string;
  body?: string;
  productCode: string;
  notifyUrl: string | null;
  returnUrl: string | null;
  passbackParams?: string;
  createdAt: number;
  expiresAt: number;
  paidAt: number | null;
  closedAt: number | null;
  buyerId: string;
  buyerLogonId: string;
  refunds: RefundRecord[];
  notifications: NotificationAttempt[];
}

/** A notification still owed to the merchant; removed once acknowledged or given up. */
export interface Delivery {
  notifyId: string;
  outTradeNo: string;
  url: string;
  /** Signed form parameters, sent identically on every attempt. */
  params: Params;
  /** Attempts made so far (0..8). */
  attempts: number;
  /** Epoch ms when the next attempt is due. */
  nextAt: number;
}

interface PersistedState {
  version: 1;
  trades: Trade[];
  deliveries: Delivery[];
}

/** One journal line: a trade's or a delivery's whole new state, or a delivery's removal. */
type JournalEntry = { trade: Trade } | { delivery: Delivery } | { deliveryGone: string };

/** A map that remembers which keys were set or deleted since the last save. */
class TrackedMap<V> extends Map<string, V> {
  readonly touched = new Set<string>();
  override set(key: string, value: V): this {
    this.touched.add(key);
    return super.set(key, value);
  }
  override delete(key: string): boolean {
    this.touched.add(key);
    return super.delete(key);
  }
}

/** Compact at runtime once the journal passes this many bytes (a load or a stop compacts anyway). */
const COMPACT_JOURNAL_BYTES = 64 * 1024 * 1024;

export class StateStore {
  readonly trades = new TrackedMap<Trade>();
  readonly deliveries = new TrackedMap<Delivery>();
  private readonly file: string;
  private readonly journalFile: string;
  private journalFd: number | null = null;
  private journalBytes = 0;
  private tmpCounter = 0;

  constructor(private readonly dataDir: string) {
    this.file = path.join(dataDir, 'state.json');
    this.journalFile = path.join(dataDir, 'journal.jsonl');
  }

  load(): void {
    mkdirSync(this.dataDir, { recursive: true });
    this.trades.clear();
    this.deliveries.clear();
    const text = readIfExists(this.file);
    if (text !== null) {
      let state: PersistedState;
      try {
        state = JSON.parse(text) as PersistedState;
      } catch (err) {
        throw new Error(`${this.file}: cannot parse sandbox state (${(err as Error).message}); delete the file to start fresh`);
      }
      if (state.version !== 1) {
        throw new Error(`${this.file}: unsupported state version ${String(state.version)}`);
      }
      for (const t of state.trades) {
        this.trades.set(t.outTradeNo, t);
      }
      for (const d of state.deliveries) {
        this.deliveries.set(d.notifyId, d);
      }
    }
    const lines = (readIfExists(this.journalFile) ?? '').split('\n');
    lines.forEach((line, i) => {
      if (line === '') {
        return;
      }
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch (err) {
        if (i >= lines.length - 2) {
          return; // the last line, torn by a crash mid-append: that change was never answered
        }
        throw new Error(`${this.journalFile}:${i + 1}: cannot parse (${(err as Error).message}); delete the data dir to start fresh`);
      }
      this.apply(entry);
    });
    this.compact();
  }

  /**
   * Makes the changes since the last save durable: every trade or delivery set or deleted in the
   * maps, and `changed` — objects changed in place (a trade's status, a delivery's attempts).
   */
  save(...changed: Array<Trade | Delivery>): void {
    const entries: JournalEntry[] = [];
    const seen = new Set<Trade | Delivery>();
    const add = (o: Trade | Delivery) => {
      if (!seen.has(o)) {
        seen.add(o);
        entries.push('params' in o ? { delivery: o } : { trade: o });
      }
    };
    for (const key of this.trades.touched) {
      const t = this.trades.get(key);
      if (t) {
        add(t);
      }
    }
    for (const key of this.deliveries.touched) {
      const d = this.deliveries.get(key);
      if (d) {
        add(d);
      } else {
        entries.push({ deliveryGone: key });
      }
    }
    for (const o of changed) {
      // A delivery changed in place and removed in the same step is gone, not re-added.
      if ('params' in o ? this.deliveries.get(o.notifyId) === o : this.trades.get(o.outTradeNo) === o) {
        add(o);
      }
    }
    this.trades.touched.clear();
    this.deliveries.touched.clear();
    if (entries.length === 0) {
      return;
    }
    const text = entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
    this.journalFd ??= openSync(this.journalFile, 'a');
    writeSync(this.journalFd, text);
    fsyncSync(this.journalFd);
    this.journalBytes += Buffer.byteLength(text);
    if (this.journalBytes > COMPACT_JOURNAL_BYTES) {
      this.compact();
    }
  }

  /** A snapshot of everything, then an empty journal (in that order: a crash between replays
   * entries the snapshot already holds, which changes nothing). Called by load and by a stop. */
  compact(): void {
    const state: PersistedState = { version: 1, trades: [...this.trades.values()], deliveries: [...this.deliveries.values()] };
    const tmp = `${this.file}.${process.pid}.${++this.tmpCounter}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(state));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    this.close();
    const journal = openSync(this.journalFile, 'w'); // truncates
    fsyncSync(journal);
    closeSync(journal);
    this.journalBytes = 0;
    this.trades.touched.clear();
    this.deliveries.touched.clear();
  }

  /** Closes the journal (reopened by the next save). */
  close(): void {
    if (this.journalFd !== null) {
      closeSync(this.journalFd);
      this.journalFd = null;
    }
  }

  findByTradeNo(tradeNo: string): Trade | undefined {
    for (const t of this.trades.values()) {
      if (t.tradeNo === tradeNo) {
        return t;
      }
    }
    return undefined;
  }

  reset(): void {
    this.trades.clear();
    this.deliveries.clear();
    this.compact();
  }

  private apply(entry: JournalEntry): void {
    if ('trade' in entry) {
      this.trades.set(entry.trade.outTradeNo, entry.trade);
    } else if ('delivery' in entry) {
      this.deliveries.set(entry.delivery.notifyId, entry.delivery);
    } else {
      this.deliveries.delete(entry.deliveryGone);
    }
  }
}

function readIfExists(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return null; // first start
    }
    throw err;
  }
}
