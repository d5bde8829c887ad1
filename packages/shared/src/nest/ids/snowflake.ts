/**
 * Snowflake ids: 41 bits of milliseconds since EPOCH, 10 bits of worker id, 12 bits of sequence —
 * 63 bits, at most 19 decimal digits, time-ordered. Returned as strings: they exceed 2^53.
 * Uniqueness across processes rests on the worker id, which must never be shared (see
 * WorkerIdLease); within a process, on the sequence and a clock that never runs backwards.
 */
export const SNOWFLAKE_EPOCH_MS = Date.UTC(2026, 0, 1);
const MAX_SEQUENCE = 4095;
export const MAX_WORKER_ID = 1023;

export class Snowflake {
  private lastMs = -1;
  private sequence = 0;

  constructor(
    private readonly workerId: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  private queue: Promise<unknown> = Promise.resolve();

  /** Serialised: a caller waiting out a clock step or a full sequence must not be overtaken. */
  next(): Promise<string> {
    const id = this.queue.then(() => this.generate());
    this.queue = id.catch(() => undefined);
    return id;
  }

  private async generate(): Promise<string> {
    let ms = this.now();
    if (ms < this.lastMs) {
      // The clock stepped back (NTP): wait it out rather than risk a repeated id.
      if (this.lastMs - ms > 5000) {
        throw new Error(`clock moved backwards by ${this.lastMs - ms} ms; refusing to generate ids`);
      }
      await new Promise((r) => setTimeout(r, this.lastMs - ms));
      ms = this.now();
    }
    if (ms === this.lastMs) {
      this.sequence = (this.sequence + 1) & MAX_SEQUENCE;
      if (this.sequence === 0) {
        while (ms <= this.lastMs) {
          await new Promise((r) => setImmediate(r));
          ms = this.now();
        }
      }
    } else {
      this.sequence = 0;
    }
    this.lastMs = ms;
    const id = (BigInt(ms - SNOWFLAKE_EPOCH_MS) << 22n) | (BigInt(this.workerId()) << 12n) | BigInt(this.sequence);
    return id.toString();
  }
}
