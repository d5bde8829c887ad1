#!/usr/bin/env node
/**
 * Benchmark 1 (issue 8): the inventory lock endpoint (`POST /internal/stock-locks`, a fresh orderSn
 * per call, one unit) of a RUNNING system (npm start) for one hot SKU and for 100 spread SKUs, beside
 * pgbench's bare conditional UPDATE on one row / 100 rows at the same concurrency in the same run
 * (the database's own ceiling on this machine). Every lock it takes is released at the end.
 */
import { loadEnv } from '@shop/consistency';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { LatencyRecorder, percentile } from './latency';
import { BaselineName, BaselineResult, failedBaseline, runBaseline } from './pgbench';
import { cpuSeconds, postgresCpuBetween, postgresCpuSample, servicePids } from './proc';
import { createSchema, createScratchDb, SPREAD_SKUS } from './scratch-db';

const USAGE = 'usage: npm run bench:lock-endpoint -- [--concurrency 16,64] [--seconds 10] [--max-pool 64] [--json FILE]  (needs npm start)';

interface Endpoint {
  url: string;
  token: string;
}

interface Measured {
  shape: 'hot' | 'spread';
  concurrency: number;
  locksPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  refusedOrFailed: number;
  /**
   * CPU milliseconds per lock taken, over the measured window only (from /proc): the inventory
   * process, every PostgreSQL process, and this generator. Unlike locks/s, these stay comparable
   * when something else runs on the machine; they say which of the three a lock's cost is in.
   */
  cpuMsPerLock: { inventory: number; postgres: number; generator: number };
  /** Requests per group-commit batch over the window (inventory's stock_lock_batch* counters). */
  meanBatch: number;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      concurrency: { type: 'string', default: '16,64' },
      seconds: { type: 'string', default: '10' },
      'max-pool': { type: 'string', default: '64' },
      json: { type: 'string' },
    },
  });
  const levels = values.concurrency.split(',').map(Number);
  const seconds = Number(values.seconds);
  if (levels.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(seconds) || seconds < 1) {
    console.error(USAGE);
    return 2;
  }
  const env = await loadEnv();
  const api: Endpoint = { url: env.serviceUrls.inventory, token: env.internalToken };
  const skus = await createSkus(api);
  const db = await createScratchDb(env.inventoryDatabaseUrl);
  const taken: string[] = [];
  const rows: Array<Measured & { baseline: BaselineResult }> = [];
  try {
    await createSchema(db.url, 1_000_000_000);
    for (const c of levels) {
      for (const shape of ['hot', 'spread'] as const) {
        const m = await measure(api, shape === 'hot' ? [skus[0]] : skus, c, seconds, taken);
        const name: BaselineName = shape === 'hot' ? 'pgbench-hot-row' : 'pgbench-spread-100';
        const baseline = await runBaseline(name, db.url, Math.min(c, Number(values['max-pool'])), seconds).catch((err: unknown) =>
          failedBaseline(name, err),
        );
        rows.push({ ...m, baseline });
        process.stderr.write(`${shape} × ${c}: ${m.locksPerSecond.toFixed(0)} locks/s, pgbench ${baseline.tps.toFixed(0)} tps\n`);
      }
    }
  } finally {
    await db.drop();
    await releaseAll(api, taken);
  }
  console.log(format(rows));
  if (values.json) {
    writeFileSync(
      values.json,
      JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, node: process.version, seconds, rows }, null, 2),
    );
  }
  return 0;
}

async function call(
  api: Endpoint,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: { id?: number } | undefined }> {
  // undici's request API: a third of fetch's CPU per call, left to the system under test.
  const res = await request(`${api.url}${path}`, {
    method: method as 'GET',
    headers: { 'x-internal-token': api.token, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.body.text();
  return { status: res.statusCode, body: text ? (JSON.parse(text) as { id?: number }) : undefined };
}

async function createSkus(api: Endpoint): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < SPREAD_SKUS; i++) {
    const r = await call(api, 'POST', '/admin/skus', { title: `bench lock endpoint ${Date.now()} ${i}`, price: 100, stock: 10_000_000 });
    if (r.status !== 201) {
      throw new Error(`cannot create a SKU: ${r.status}`);
    }
    ids.push(r.body!.id!);
  }
  return ids;
}

/** Closed loop for `seconds`: each worker locks one unit for a fresh orderSn as soon as its last answer came. */
async function measure(api: Endpoint, skus: number[], concurrency: number, seconds: number, taken: string[]): Promise<Measured> {
  const latencies = new LatencyRecorder();
  let base = BigInt(Date.now()) * 100_000n;
  let locked = 0;
  let other = 0;
  const expiresAt = new Date(Date.now() + 3600_000).toISOString();
  const inventoryPid = servicePids().inventory;
  const cpu = () => ({
    inventory: inventoryPid ? cpuSeconds(inventoryPid) : Number.NaN,
    postgres: postgresCpuSample(),
    generator: ((u) => (u.user + u.system) / 1e6)(process.cpuUsage()),
  });
  const batchesBefore = await batchCounters(api);
  const cpuBefore = cpu();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const orderSn = String(base++);
      const skuId = skus[Math.floor(Math.random() * skus.length)];
      const t0 = performance.now();
      const r = await call(api, 'POST', '/internal/stock-locks', { orderSn, expiresAt, items: [{ skuId, quantity: 1 }] }).catch(() => ({
        status: 0,
        body: undefined,
      }));
      latencies.record(performance.now() - t0);
      if (r.status === 201) {
        locked++;
        taken.push(orderSn);
      } else {
        other++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  const cpuAfter = cpu();
  const batchesAfter = await batchCounters(api);
  const msPerLock = (seconds: number) => Math.round((seconds * 1000 * 1000) / Math.max(1, locked)) / 1000;
  const sorted = latencies.sorted();
  return {
    shape: skus.length > 1 ? 'spread' : 'hot',
    concurrency,
    locksPerSecond: locked / elapsed,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    refusedOrFailed: other,
    cpuMsPerLock: {
      inventory: msPerLock(cpuAfter.inventory - cpuBefore.inventory),
      postgres: msPerLock(postgresCpuBetween(cpuBefore.postgres, cpuAfter.postgres)),
      generator: msPerLock(cpuAfter.generator - cpuBefore.generator),
    },
    meanBatch:
      Math.round(((batchesAfter.requests - batchesBefore.requests) / Math.max(1, batchesAfter.batches - batchesBefore.batches)) * 10) / 10,
  };
}

/** The group-commit counters of inventory's /metrics (summed over their series). */
async function batchCounters(api: Endpoint): Promise<{ batches: number; requests: number }> {
  const res = await request(`${api.url}/metrics`);
  const text = await res.body.text();
  const sum = (name: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(name))
      .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return { batches: sum('stock_lock_batches_total'), requests: sum('stock_lock_batched_requests_total') };
}

async function releaseAll(api: Endpoint, orderSns: string[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < orderSns.length) {
      await call(api, 'POST', `/internal/stock-locks/${orderSns[next++]}/release`).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

function format(rows: Array<Measured & { baseline: BaselineResult }>): string {
  const lines = rows.map((r) => {
    const tps = r.baseline.tps;
    const share = Number.isFinite(tps) ? (r.locksPerSecond / tps).toFixed(3) : 'n/a';
    return `${r.shape.padEnd(6)} ${String(r.concurrency).padStart(5)}  ${r.locksPerSecond.toFixed(0).padStart(8)}  ${r.p50Ms.toFixed(1).padStart(7)}  ${r.p99Ms.toFixed(1).padStart(7)}  ${(Number.isFinite(tps) ? tps.toFixed(0) : 'failed').padStart(9)}  ${share.padStart(6)}  ${String(r.refusedOrFailed).padStart(14)}  ${String(r.meanBatch).padStart(10)}  ${r.cpuMsPerLock.inventory} / ${r.cpuMsPerLock.postgres} / ${r.cpuMsPerLock.generator}`;
  });
  return [
    `inventory lock endpoint vs the bare conditional UPDATE (${cpus().length} cores shared by the generator, the services and PostgreSQL)`,
    'shape  conc.   locks/s   p50 ms   p99 ms  pgbench tps  share  refused/failed  mean batch  CPU ms/lock: inventory / postgres / generator',
    ...lines,
  ].join('\n');
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench:lock-endpoint: ${(err as Error).message}`);
    process.exit(2);
  },
);
