/** Closed-loop drivers: C workers, each issuing its next request as soon as the last one answered. */
import { performance } from 'node:perf_hooks';
import { LatencyRecorder, percentile } from './latency';
import type { SkuTable } from './scratch-db';
import type { BenchContext, Strategy } from './strategies';

export interface ThroughputResult {
  opsPerSecond: number;
  granted: number;
  refused: number;
  errors: number;
  firstError: string | undefined;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  elapsedSeconds: number;
}

export interface RaceTally {
  granted: number;
  refused: number;
  errors: number;
  firstError: string | undefined;
}

/** A unique order number per call, within varchar(20): run tag + strategy index + counter. */
export function orderSnSource(tag: string): () => string {
  let n = 0;
  return () => `${tag}${(n++).toString(36)}`;
}

interface Outcome {
  granted: number;
  refused: number;
  errors: number;
  firstError: string | undefined;
}

/** Runs one call and books its outcome; an error is counted, never thrown (one failure must not end a run). */
async function attempt(call: () => Promise<boolean>, outcome: Outcome): Promise<void> {
  try {
    if (await call()) {
      outcome.granted++;
    } else {
      outcome.refused++;
    }
  } catch (err) {
    outcome.errors++;
    outcome.firstError ??= err instanceof Error ? err.message : String(err);
  }
}

/** Every request until `seconds` have passed; latency of each (granted, refused or failed) is kept. */
export async function measureThroughput(
  ctx: BenchContext,
  strategy: Strategy,
  opts: { table: SkuTable; skuId: number; concurrency: number; seconds: number; nextOrderSn: () => string },
): Promise<ThroughputResult> {
  const latencies = new LatencyRecorder();
  const outcome: Outcome = { granted: 0, refused: 0, errors: 0, firstError: undefined };
  const start = performance.now();
  const deadline = start + opts.seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await attempt(() => strategy(ctx, opts.table, opts.skuId, 1, opts.nextOrderSn()), outcome);
      latencies.record(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const elapsedSeconds = (performance.now() - start) / 1000;
  const sorted = latencies.sorted();
  return {
    opsPerSecond: outcome.granted / elapsedSeconds,
    ...outcome,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1] : Number.NaN,
    elapsedSeconds,
  };
}

/** Exactly `attempts` one-unit requests on one SKU, `concurrency` at a time. */
export async function race(
  ctx: BenchContext,
  strategy: Strategy,
  opts: { table: SkuTable; skuId: number; concurrency: number; attempts: number; nextOrderSn: () => string },
): Promise<RaceTally> {
  const outcome: Outcome = { granted: 0, refused: 0, errors: 0, firstError: undefined };
  let issued = 0;
  const worker = async (): Promise<void> => {
    while (issued < opts.attempts) {
      issued++;
      await attempt(() => strategy(ctx, opts.table, opts.skuId, 1, opts.nextOrderSn()), outcome);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return outcome;
}
