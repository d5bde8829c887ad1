import { rng, runAll } from './runner';

describe('load runner', () => {
  const track = () => {
    let inFlight = 0;
    let peak = 0;
    const started: number[] = [];
    const task = async (i: number): Promise<void> => {
      started.push(i);
      peak = Math.max(peak, ++inFlight);
      await new Promise((r) => setTimeout(r, 200));
      inFlight--;
    };
    return { task, peak: () => peak, started };
  };

  it('closed loop: never more than `concurrency` in flight, every task run once', async () => {
    const t = track();
    await runAll(6, { kind: 'closed', concurrency: 2 }, t.task);
    expect(t.peak()).toBe(2);
    expect([...t.started].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('open loop: arrivals do not wait for earlier answers (slow answers pile up in flight)', async () => {
    const t = track();
    await runAll(10, { kind: 'open', ratePerSecond: 200, maxInFlight: 100 }, t.task);
    expect(t.peak()).toBeGreaterThanOrEqual(5);
    expect(t.started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('open loop: the in-flight cap still holds', async () => {
    const t = track();
    await runAll(8, { kind: 'open', ratePerSecond: 1000, maxInFlight: 3 }, t.task);
    expect(t.peak()).toBe(3);
  });

  it('a stop condition ends a timed run: no task starts once it holds, closed or open loop', async () => {
    for (const load of [{ kind: 'closed', concurrency: 2 } as const, { kind: 'open', ratePerSecond: 1000, maxInFlight: 10 } as const]) {
      const t = track();
      await runAll(1_000_000, load, t.task, () => t.started.length >= 4);
      expect(t.started).toHaveLength(4);
    }
  });

  it('the seeded generator repeats itself', () => {
    const a = rng(42);
    const b = rng(42);
    const c = rng(43);
    const seq = (g: () => number) => Array.from({ length: 5 }, g);
    const first = seq(a);
    expect(seq(b)).toEqual(first);
    expect(seq(c)).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
