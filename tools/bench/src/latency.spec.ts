import { LatencyRecorder, percentile } from './latency';

describe('percentile (nearest rank)', () => {
  it('takes the smallest sample with at least p% at or below it', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile(sorted, 0.1)).toBe(1);
  });

  it('answers the one sample for any p, and NaN for none', () => {
    expect(percentile([7], 1)).toBe(7);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('refuses p outside (0, 100]', () => {
    expect(() => percentile([1, 2], 0)).toThrow(RangeError);
    expect(() => percentile([1, 2], 101)).toThrow(RangeError);
  });
});

describe('LatencyRecorder', () => {
  it('keeps every sample past its first buffer and sorts them numerically', () => {
    const recorder = new LatencyRecorder();
    for (let i = 100_000; i >= 1; i--) {
      recorder.record(i / 10); // 10000, 9999.9, ..., 0.1: a lexical sort would put 10 before 9
    }
    const sorted = recorder.sorted();
    expect(recorder.count).toBe(100_000);
    expect(sorted[0]).toBeCloseTo(0.1);
    expect(sorted[99_999]).toBe(10_000);
    expect(percentile(sorted, 50)).toBe(5000);
  });
});
