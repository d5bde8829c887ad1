/** How work is offered to the system: a closed loop (N workers, each waits for its answer) or an
 * open loop (arrivals at a fixed rate whether or not earlier ones finished — a closed loop hides
 * queueing, because slow answers slow the offered load down with them). */
export type Load = { kind: 'closed'; concurrency: number } | { kind: 'open'; ratePerSecond: number; maxInFlight: number };

/** Runs task(0..count-1) under `load`; `stop` (checked before each start) ends a timed run early. */
export async function runAll(
  count: number,
  load: Load,
  task: (i: number) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<void> {
  if (load.kind === 'closed') {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count && !stop()) {
        await task(next++);
      }
    };
    await Promise.all(Array.from({ length: Math.min(load.concurrency, count) }, worker));
    return;
  }
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < count && !stop(); i++) {
    const due = started + (i * 1000) / load.ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) {
      await new Promise((r) => setTimeout(r, wait));
    }
    // A safety cap only (it bounds memory); when it binds, the report says the offered rate was not held.
    while (inFlight.size >= load.maxInFlight) {
      await Promise.race(inFlight);
    }
    const p: Promise<void> = task(i).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
}

/** Small seeded PRNG (mulberry32): the same seed gives the same baskets and choices. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
