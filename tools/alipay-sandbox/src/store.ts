/** Sandbox state (trades + pending notification deliveries) kept in memory and persisted as one
 * JSON file after every change, so pending deliveries survive a restart (or a SIGKILL). The
 * write is atomic (tmp file + fsync + rename): a crash leaves either the old or the new state,
 * never a torn file. Synchronous on purpose — state changes are tiny and this keeps ordering
 * trivially correct without a write queue. One data dir belongs to one sandbox process. */
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

export class StateStore {
  readonly trades = new Map<string, Trade>();
  readonly deliveries = new Map<string, Delivery>();
  private readonly file: string;
  private tmpCounter = 0;

  constructor(private readonly dataDir: string) {
    this.file = path.join(dataDir, 'state.json');
  }

  load(): void {
    mkdirSync(this.dataDir, { recursive: true });
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return;
      } // first start
      throw err;
    }
    let state: PersistedState;
    try {
      state = JSON.parse(text) as PersistedState;
    } catch (err) {
      throw new Error(`${this.file}: cannot parse sandbox state (${(err as Error).message}); delete the file to start fresh`);
    }
    if (state.version !== 1) {
      throw new Error(`${this.file}: unsupported state version ${String(state.version)}`);
    }
    this.trades.clear();
    this.deliveries.clear();
    for (const t of state.trades) {
      this.trades.set(t.outTradeNo, t);
    }
    for (const d of state.deliveries) {
      this.deliveries.set(d.notifyId, d);
    }
  }

  save(): void {
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
    this.save();
  }
}
