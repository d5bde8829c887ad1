/**
 * Application-level group commit: requests that arrive while a batch is in flight wait in a queue,
 * and the next batch takes the whole queue (up to `maxBatch`) at once — one database round trip and
 * one COMMIT for all of them, each request still answered with its own result. Under no load a
 * request is flushed immediately (batch of one, no timer, no added latency); under load the batch
 * grows with the queue, so the cost per request falls exactly when it matters.
 *
 * Requests are spread over `lanes` by `laneOf` (each lane has at most one batch in flight): requests
 * of one lane are flushed in arrival order, lanes run in parallel. `flush` answers one result per
 * request, in order, and must be all-or-nothing (e.g. one statement or one transaction). If a batch
 * of several fails, its requests are flushed again one at a time, in order — safe because nothing of
 * the failed batch was applied — so one bad request fails alone instead of taking its batch with it.
 */
export interface CoalescerOptions<Req, Res> {
  lanes: number;
  maxBatch: number;
  laneOf: (req: Req) => number;
  flush: (batch: Req[]) => Promise<Res[]>;
}

interface Pending<Req, Res> {
  req: Req;
  resolve: (res: Res) => void;
  reject: (err: unknown) => void;
}

export class Coalescer<Req, Res> {
  private readonly queues: Array<Array<Pending<Req, Res>>>;
  private readonly busy: boolean[];
  /** Batches flushed and requests they carried (for metrics and tests). */
  batches = 0;
  requests = 0;

  constructor(private readonly options: CoalescerOptions<Req, Res>) {
    if (!Number.isInteger(options.lanes) || options.lanes < 1 || !Number.isInteger(options.maxBatch) || options.maxBatch < 1) {
      throw new Error('Coalescer: lanes and maxBatch must be positive integers');
    }
    this.queues = Array.from({ length: options.lanes }, () => []);
    this.busy = Array.from({ length: options.lanes }, () => false);
  }

  submit(req: Req): Promise<Res> {
    const lane = ((this.options.laneOf(req) % this.options.lanes) + this.options.lanes) % this.options.lanes;
    return new Promise<Res>((resolve, reject) => {
      this.queues[lane].push({ req, resolve, reject });
      if (!this.busy[lane]) {
        void this.drain(lane);
      }
    });
  }

  /** Requests waiting (not yet in a batch), over all lanes. */
  get queued(): number {
    return this.queues.reduce((n, q) => n + q.length, 0);
  }

  private async flushChecked(batch: Array<Pending<Req, Res>>): Promise<Res[]> {
    const results = await this.options.flush(batch.map((p) => p.req));
    if (results.length !== batch.length) {
      throw new Error(`Coalescer: flush answered ${results.length} results for ${batch.length} requests`);
    }
    return results;
  }

  private async drain(lane: number): Promise<void> {
    this.busy[lane] = true;
    try {
      while (this.queues[lane].length > 0) {
        const batch = this.queues[lane].splice(0, this.options.maxBatch);
        this.batches++;
        this.requests += batch.length;
        try {
          const results = await this.flushChecked(batch);
          batch.forEach((p, i) => p.resolve(results[i]));
        } catch (err) {
          if (batch.length === 1) {
            batch[0].reject(err);
            continue;
          }
          for (const p of batch) {
            this.batches++;
            await this.flushChecked([p]).then(([res]) => p.resolve(res), p.reject);
          }
        }
      }
    } finally {
      this.busy[lane] = false;
    }
  }
}
