import { Coalescer } from './coalescer';

/** A flush we complete by hand, so the test decides when a batch is "in flight" and when it ends. */
function manualFlush<T>() {
  const calls: Array<{ batch: T[]; done: (results?: string[]) => void; fail: (err: Error) => void }> = [];
  const flush = (batch: T[]): Promise<string[]> =>
    new Promise((resolve, reject) => {
      calls.push({ batch, done: (results) => resolve(results ?? batch.map((b) => `ok:${String(b)}`)), fail: reject });
    });
  return { calls, flush };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Coalescer (application-level group commit)', () => {
  it('flushes a lone request at once, and everything that arrived meanwhile as the next batch, in arrival order', async () => {
    const f = manualFlush<number>();
    const c = new Coalescer({ lanes: 1, maxBatch: 100, laneOf: () => 0, flush: f.flush });
    const first = c.submit(1);
    await tick();
    expect(f.calls.map((x) => x.batch)).toEqual([[1]]);
    const later = [2, 3, 4].map((n) => c.submit(n));
    await tick();
    expect(f.calls).toHaveLength(1); // queued behind the batch in flight
    f.calls[0].done();
    await expect(first).resolves.toBe('ok:1');
    await tick();
    expect(f.calls[1].batch).toEqual([2, 3, 4]);
    f.calls[1].done();
    await expect(Promise.all(later)).resolves.toEqual(['ok:2', 'ok:3', 'ok:4']);
    expect([c.batches, c.requests]).toEqual([2, 4]);
  });

  it('caps a batch at maxBatch; lanes run in parallel, each in its own order', async () => {
    const f = manualFlush<number>();
    const c = new Coalescer({ lanes: 2, maxBatch: 2, laneOf: (n) => n % 2, flush: f.flush });
    const all = [0, 1, 2, 3, 4, 5, 6].map((n) => c.submit(n));
    await tick();
    expect(f.calls.map((x) => x.batch)).toEqual([[0], [1]]);
    f.calls[0].done();
    await tick();
    expect(f.calls[2].batch).toEqual([2, 4]);
    f.calls[1].done();
    await tick();
    expect(f.calls[3].batch).toEqual([3, 5]);
    f.calls[2].done();
    f.calls[3].done();
    await tick();
    expect(f.calls[4].batch).toEqual([6]);
    f.calls[4].done();
    await expect(Promise.all(all)).resolves.toEqual([0, 1, 2, 3, 4, 5, 6].map((n) => `ok:${n}`));
  });

  it('a failed batch is flushed again one request at a time, in order: a bad request fails alone; the lane goes on', async () => {
    const f = manualFlush<number>();
    const c = new Coalescer({ lanes: 1, maxBatch: 10, laneOf: () => 0, flush: f.flush });
    const a = c.submit(1);
    await tick();
    const [b, d] = [c.submit(2), c.submit(3)];
    f.calls[0].done();
    await tick();
    expect(f.calls[1].batch).toEqual([2, 3]);
    f.calls[1].fail(new Error('request 3 is bad'));
    await tick();
    expect(f.calls[2].batch).toEqual([2]);
    f.calls[2].done();
    await tick();
    expect(f.calls[3].batch).toEqual([3]);
    f.calls[3].fail(new Error('request 3 is bad'));
    await expect(b).resolves.toBe('ok:2');
    await expect(d).rejects.toThrow('request 3 is bad');
    await expect(a).resolves.toBe('ok:1');
    const e = c.submit(4);
    await tick();
    f.calls[4].done();
    await expect(e).resolves.toBe('ok:4');
  });

  it('a flush that answers the wrong number of results fails instead of mis-answering', async () => {
    const f = manualFlush<number>();
    const c = new Coalescer({ lanes: 1, maxBatch: 10, laneOf: () => 0, flush: f.flush });
    const a = c.submit(1);
    await tick();
    f.calls[0].done([]);
    await expect(a).rejects.toThrow('answered 0 results for 1 requests');
  });

  it('refuses nonsense sizes', () => {
    expect(() => new Coalescer({ lanes: 0, maxBatch: 1, laneOf: () => 0, flush: async () => [] })).toThrow();
    expect(() => new Coalescer({ lanes: 1, maxBatch: 0.5, laneOf: () => 0, flush: async () => [] })).toThrow();
  });
});
