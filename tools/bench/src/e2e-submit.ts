#!/usr/bin/env node
/**
 * Benchmark 3 (issue 8): confirm + submit end to end through all services of a RUNNING system
 * (npm start), one hot SKU vs 100 spread SKUs, at several numbers of concurrent buyers. Each level
 * is one load-tool run (tools/load): closed loop, every order cancelled afterwards so stock and
 * locks return, consistency checker after each. Prints throughput and confirm/submit p50/p99.
 */
import { loadEnv } from '@shop/consistency';
import { LoadReport, runLoad } from '@shop/load';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { BaselineResult, runBaselinesOnScratch } from './pgbench';
import { cpuMsPer, cpuSample, postgresCpuBetween, postgresCpuSample, requireServicePids, Service } from './proc';

const USAGE = `usage: npm run bench:e2e -- [--concurrency 16,64,256] [--shapes hot,spread] [--attempts N (per level, default 4 x concurrency, at least 2000)] [--max-pool 64] [--baseline-seconds 10] [--json FILE]
needs the system running (npm start); targets from the same environment as npm start`;

type Shape = 'hot' | 'spread';

interface Row {
  shape: Shape;
  buyers: number;
  attempts: number;
  ordersPerSecond: number;
  confirm: { p50Ms: number; p99Ms: number };
  submit: { p50Ms: number; p99Ms: number };
  unexpected: Record<string, number>;
  oversoldUnits: number;
  verdictOk: boolean;
  /** The same work as one transaction on one database (pgbench, same run, same connection count capped at --max-pool). */
  baseline: { name: string; tps: number; clients: number; error?: string };
  /** ordersPerSecond / baseline tps. */
  share: number;
  /** CPU milliseconds each service spent per order placed during confirm + submit (from /proc): stays
   * comparable across runs on a busy machine, where throughput does not. */
  cpuMsPerOrder: Record<Service | 'total', number>;
  /** The same for every PostgreSQL process (the four databases share one server): not in `total`. */
  postgresCpuMsPerOrder: number;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      concurrency: { type: 'string', default: '16,64,256' },
      shapes: { type: 'string', default: 'hot,spread' },
      attempts: { type: 'string' },
      json: { type: 'string' },
      'max-pool': { type: 'string', default: '64' },
      'baseline-seconds': { type: 'string', default: '10' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const levels = values.concurrency.split(',').map(Number);
  const shapes = values.shapes.split(',') as Shape[];
  if (levels.some((n) => !Number.isInteger(n) || n < 1) || shapes.some((s) => s !== 'hot' && s !== 'spread')) {
    console.error(USAGE);
    return 2;
  }
  const env = await loadEnv();
  const rows: Row[] = [];
  for (const buyers of levels) {
    for (const shape of shapes) {
      // At least 2,000: at 300-450 orders/s a level of 256 attempts lasted under a second and
      // measured the ramp (connections, JIT), not the throughput.
      const attempts = values.attempts ? Number(values.attempts) : Math.max(2000, 4 * buyers);
      process.stderr.write(`${shape}, ${buyers} buyers, ${attempts} attempts …\n`);
      const pids = requireServicePids();
      let before = cpuSample(pids);
      let after = before;
      let pgBefore = postgresCpuSample();
      let pgAfter = pgBefore;
      const report = await level(env, shape, buyers, attempts, {
        start: () => ((before = cpuSample(pids)), (pgBefore = postgresCpuSample())),
        end: () => ((after = cpuSample(pids)), (pgAfter = postgresCpuSample())),
      });
      const cpu = cpuMsPer(before, after, report.orders.placed);
      const pgMs = Math.round((postgresCpuBetween(pgBefore, pgAfter) * 1000 * 100) / Math.max(1, report.orders.placed)) / 100;
      const clients = Math.min(buyers, Number(values['max-pool']));
      const name = shape === 'hot' ? 'pgbench-submit-tx-hot' : 'pgbench-submit-tx-spread';
      const b = (await runBaselinesOnScratch(env.inventoryDatabaseUrl, [name], clients, Number(values['baseline-seconds'])))[name]!;
      rows.push({ ...toRow(shape, buyers, attempts, report, b, clients, cpu), postgresCpuMsPerOrder: pgMs });
    }
  }
  console.log(format(rows));
  if (values.json) {
    writeFileSync(
      values.json,
      JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, node: process.version, rows }, null, 2),
    );
  }
  return rows.every((r) => r.verdictOk) ? 0 : 1;
}

function level(
  env: Awaited<ReturnType<typeof loadEnv>>,
  shape: Shape,
  buyers: number,
  attempts: number,
  onMeasured: { start: () => void; end: () => void },
): Promise<LoadReport> {
  return runLoad({
    onMeasured,
    // hot: every buyer takes one unit of one SKU (stock for all); spread: baskets over 100 SKUs.
    scenario: shape === 'hot' ? 'flash-sale' : 'multi-sku',
    users: buyers,
    count: attempts,
    stock: shape === 'hot' ? attempts : attempts * 2,
    skus: 100,
    copies: 1,
    load: { kind: 'closed', concurrency: buyers },
    seed: 8000 + buyers,
    actions: { payShare: 0, lateShare: 0, timeoutShare: 0, notifyCopies: 0 },
    settleTimeoutMs: 180000,
    targets: { ...env.serviceUrls, sandbox: env.sandboxUrl, internalToken: env.internalToken },
    check: {
      inventoryDatabaseUrl: env.inventoryDatabaseUrl,
      orderDatabaseUrl: env.orderDatabaseUrl,
      paymentDatabaseUrl: env.paymentDatabaseUrl,
    },
  });
}

function toRow(
  shape: Shape,
  buyers: number,
  attempts: number,
  r: LoadReport,
  b: BaselineResult,
  clients: number,
  cpuMsPerOrder: Row['cpuMsPerOrder'],
): Omit<Row, 'postgresCpuMsPerOrder'> {
  const pick = (name: string) => ({ p50Ms: r.endpoints[name]?.p50Ms ?? 0, p99Ms: r.endpoints[name]?.p99Ms ?? 0 });
  // Only the expected answers are 2xx and 409s; anything else during confirm/submit is reported.
  const unexpected = Object.fromEntries(
    Object.entries(r.outcomes).filter(([k]) => /^(GET \/orders\/confirm|POST \/orders) /.test(k) && !/ (200|201|409)( |$)/.test(k)),
  );
  return {
    shape,
    buyers,
    attempts,
    ordersPerSecond: r.ordersPerSecond,
    confirm: pick('GET /orders/confirm'),
    submit: pick('POST /orders'),
    unexpected,
    oversoldUnits: r.oversoldUnits,
    verdictOk: r.verdict.ok,
    baseline: { name: b.name, tps: Math.round(b.tps), clients, ...(b.error ? { error: b.error } : {}) },
    share: Number.isFinite(b.tps) ? Math.round((r.ordersPerSecond / b.tps) * 1000) / 1000 : Number.NaN,
    cpuMsPerOrder,
  };
}

function format(rows: Row[]): string {
  const head =
    'shape   buyers  attempts  orders/s  confirm p50/p99 ms  submit p50/p99 ms  one-db tx tps  share  oversold  CPU ms/order (user cart inv order pay = total)  postgres ms  unexpected';
  const lines = rows.map(
    (r) =>
      `${r.shape.padEnd(6)}  ${String(r.buyers).padStart(6)}  ${String(r.attempts).padStart(8)}  ${String(r.ordersPerSecond).padStart(8)}  ` +
      `${`${r.confirm.p50Ms}/${r.confirm.p99Ms}`.padStart(18)}  ${`${r.submit.p50Ms}/${r.submit.p99Ms}`.padStart(17)}  ${String(r.baseline.tps).padStart(13)}  ${String(r.share).padStart(5)}  ${String(r.oversoldUnits).padStart(8)}  ${cpuText(r.cpuMsPerOrder).padEnd(46)}  ${String(r.postgresCpuMsPerOrder).padStart(11)}  ${JSON.stringify(r.unexpected)}`,
  );
  return [`end-to-end confirm + submit (${cpus().length} cores shared by the load tool and the whole system)`, head, ...lines].join('\n');
}

function cpuText(c: Row['cpuMsPerOrder']): string {
  return `${c.user} ${c.cart} ${c.inventory} ${c.order} ${c.payment} = ${c.total}`;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench:e2e: ${(err as Error).message}`);
    process.exit(2);
  },
);
