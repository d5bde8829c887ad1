/**
 * Exact latency percentiles over every sample of a bounded run. A benchmark of ≤ 600 s at a few
 * thousand ops/s holds at most a few million doubles, so keeping them all is cheaper to trust than
 * a histogram's bucketing (the load tool, which runs open-ended, uses a real histogram instead).
 */
export class LatencyRecorder {
  private samples = new Float64Array(1 << 16);
  private size = 0;

  record(ms: number): void {
    if (this.size === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.size++] = ms;
  }

  get count(): number {
    return this.size;
  }

  /** The samples sorted ascending (a copy: recording may go on). */
  sorted(): Float64Array {
    return this.samples.slice(0, this.size).sort();
  }
}

/**
 * Nearest-rank percentile of an ascending array: the smallest sample with at least p% of the
 * samples at or below it. NaN for no samples.
 */
export function percentile(sortedAscending: ArrayLike<number>, p: number): number {
  const n = sortedAscending.length;
  if (n === 0) {
    return Number.NaN;
  }
  if (!(p > 0 && p <= 100)) {
    throw new RangeError(`percentile takes 0 < p <= 100, got ${p}`);
  }
  const rank = Math.ceil((p / 100) * n);
  return sortedAscending[Math.min(n, rank) - 1];
}
