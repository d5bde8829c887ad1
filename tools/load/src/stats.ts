import * as hdr from 'hdr-histogram-js';

/** One latency histogram per endpoint (microseconds, 3 significant digits: HdrHistogram, not a sorted array). */
function histogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 10 * 60 * 1_000_000, numberOfSignificantValueDigits: 3 });
}

export interface EndpointStats {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** What a run saw: latency per endpoint, outcome counts by endpoint/status/code, and a per-second timeline. */
export class Recorder {
  private readonly latency = new Map<string, hdr.Histogram>();
  private readonly recent = histogram();
  readonly outcomes = new Map<string, number>();
  /** Per second since start: requests done, 5xx/transport errors, p99 of that second. */
  readonly timeline: Array<{ second: number; requests: number; errors: number; p99Ms: number }> = [];
  private readonly thisSecond = histogram();
  readonly startedAt = Date.now();
  requests = 0;
  errors = 0;

  record(endpoint: string, startedAt: number, status: number, code?: string): void {
    const micros = Math.max(1, Math.round((performance.now() - startedAt) * 1000));
    let h = this.latency.get(endpoint);
    if (!h) {
      h = histogram();
      this.latency.set(endpoint, h);
    }
    h.recordValue(micros);
    this.recent.recordValue(micros);
    const key = `${endpoint} ${status}${code ? ` ${code}` : ''}`;
    this.outcomes.set(key, (this.outcomes.get(key) ?? 0) + 1);
    this.requests++;
    const failed = status === 0 || status >= 500;
    this.errors += failed ? 1 : 0;
    const second = Math.floor((Date.now() - this.startedAt) / 1000);
    if (second >= this.timeline.length) {
      this.closeSecond();
      while (this.timeline.length <= second) {
        this.timeline.push({ second: this.timeline.length, requests: 0, errors: 0, p99Ms: 0 });
      }
    }
    this.thisSecond.recordValue(micros);
    this.timeline[second].requests++;
    this.timeline[second].errors += failed ? 1 : 0;
  }

  /** Writes the current second's p99 into the timeline (also called once at the end of a run). */
  closeSecond(): void {
    const last = this.timeline[this.timeline.length - 1];
    if (last && this.thisSecond.totalCount > 0) {
      last.p99Ms = Math.round(this.thisSecond.getValueAtPercentile(99) / 10) / 100;
    }
    this.thisSecond.reset();
  }

  /** p99 of the requests since the last call (for the live progress line), then starts over. */
  recentP99Ms(): number {
    const p99 = this.recent.totalCount > 0 ? this.recent.getValueAtPercentile(99) / 1000 : 0;
    this.recent.reset();
    return p99;
  }

  endpoints(): Record<string, EndpointStats> {
    const out: Record<string, EndpointStats> = {};
    for (const [name, h] of [...this.latency].sort(([a], [b]) => a.localeCompare(b))) {
      const ms = (p: number): number => Math.round(h.getValueAtPercentile(p) / 10) / 100;
      out[name] = {
        count: h.totalCount,
        p50Ms: ms(50),
        p95Ms: ms(95),
        p99Ms: ms(99),
        maxMs: Math.round(h.maxValue / 10) / 100,
        meanMs: Math.round(h.mean / 10) / 100,
      };
    }
    return out;
  }

  outcomeTable(): Record<string, number> {
    return Object.fromEntries([...this.outcomes].sort(([a], [b]) => a.localeCompare(b)));
  }
}
