#!/usr/bin/env node
/**
 * `npm run bench`: every benchmark of issue 8, one after the other, each with its baseline measured
 * in the same run, then one summary of the ratios. Benchmarks 1, 3 and 4 need the system: when none
 * answers at the configured URLs, this starts one (`npm start`'s own script, development mode) and
 * stops it at the end. Each benchmark is its own child process (as `npm run bench:<name>` runs it),
 * so one that fails is reported and the rest still run.
 */
import { loadEnv } from '@shop/consistency';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RelayResult } from './relay';
import { startSystem, stopSystem, systemReady } from './system';

const ROOT = path.join(__dirname, '..', '..', '..');
const DIST = __dirname;

const USAGE = `usage: npm run bench -- [--out DIR (default bench-results/<time>)] [--quick] [--only strategies,relay,http-client,lock-endpoint,e2e,webhook]
  --quick   short runs at 64 concurrent clients only (a smoke run; publish figures from a full run)`;

interface Step {
  name: string;
  script: string;
  needsSystem: boolean;
  args: (quick: boolean) => string[];
}

const STEPS: Step[] = [
  {
    name: 'strategies',
    script: 'lock-strategies.js',
    needsSystem: false,
    args: (q) => (q ? ['--concurrency', '64', '--seconds', '5'] : []),
  },
  { name: 'relay', script: 'relay.js', needsSystem: false, args: (q) => (q ? ['--events', '5000', '--seconds', '5'] : []) },
  { name: 'http-client', script: 'http-client.js', needsSystem: false, args: (q) => (q ? ['--calls', '5000'] : []) },
  {
    name: 'lock-endpoint',
    script: 'lock-endpoint.js',
    needsSystem: true,
    args: (q) => (q ? ['--concurrency', '64', '--seconds', '5'] : []),
  },
  { name: 'e2e', script: 'e2e-submit.js', needsSystem: true, args: (q) => (q ? ['--concurrency', '64', '--baseline-seconds', '5'] : []) },
  { name: 'webhook', script: 'webhook.js', needsSystem: true, args: (q) => (q ? ['--orders', '200'] : []) },
];

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, quick: { type: 'boolean', default: false }, only: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const only = values.only?.split(',');
  if (only?.some((n) => !STEPS.some((s) => s.name === n))) {
    console.error(USAGE);
    return 2;
  }
  const steps = STEPS.filter((s) => !only || only.includes(s.name));
  const out = path.resolve(values.out ?? path.join(ROOT, 'bench-results', new Date().toISOString().replace(/[:.]/g, '-')));
  mkdirSync(out, { recursive: true });
  const env = await loadEnv();
  let system: ChildProcess | undefined;
  const results: Array<{ step: Step; code: number }> = [];
  try {
    for (const step of steps) {
      if (step.needsSystem && !system && !(await systemReady(env))) {
        system = await startSystem(env, out);
      }
      const json = path.join(out, `${step.name}.json`);
      process.stderr.write(`\n[bench] ${step.name} …\n`);
      const code = await runChild(process.execPath, [path.join(DIST, step.script), ...step.args(values.quick), '--json', json]);
      results.push({ step, code });
    }
  } finally {
    if (system) {
      await stopSystem(system);
    }
  }
  console.log(`\n${summary(out, results)}`);
  console.log(
    `\nJSON of every benchmark in ${out}; charts: npm run bench:charts -- --lock ${path.join(out, 'strategies.json')} --e2e ${path.join(out, 'e2e.json')} --out docs/img`,
  );
  return results.every((r) => r.code === 0) ? 0 : 1;
}

function runChild(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', cwd: ROOT });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** The fields of each child's JSON that the summary reads. */
interface StrategiesJson {
  levels: Array<{
    concurrency: number;
    baselines: Array<{ name: string; tps: number }>;
    strategies: Array<{ name: string; throughput: { opsPerSecond: number } }>;
  }>;
}
interface LockEndpointJson {
  rows: Array<{ shape: string; concurrency: number; locksPerSecond: number; p99Ms: number; baseline: { name: string; tps: number } }>;
}
interface E2eJson {
  rows: Array<{
    shape: string;
    buyers: number;
    ordersPerSecond: number;
    share: number;
    submit: { p99Ms: number };
    baseline: { name: string; tps: number };
  }>;
}
interface HttpClientJson {
  rows: Array<{ client: string; cpuMicrosPerCall: number }>;
}
interface WebhookJson {
  applied: { perSecond: number; share: number };
  duplicates: { perSecond: number; share: number };
  baseline: { name: string; tps: number };
}

function read<T>(out: string, name: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path.join(out, `${name}.json`), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'n/a');

/** One line per figure: ours, the same-run baseline, and the ratio. */
export function summary(out: string, results: Array<{ step: Step; code: number }>): string {
  const lines: string[] = ['summary (ratios against baselines measured in this run)'];
  for (const { step, code } of results) {
    const failed = (): void => void lines.push(`  ${step.name}: FAILED (exit ${code})`);
    if (code !== 0) {
      failed();
    } else if (step.name === 'strategies') {
      const j = read<StrategiesJson>(out, step.name);
      for (const level of j?.levels ?? []) {
        const ours = level.strategies.find((x) => x.name === 'conditional-update');
        const hot = level.baselines.find((x) => x.name === 'pgbench-hot-row');
        if (ours && hot) {
          const perSecond = ours.throughput.opsPerSecond;
          lines.push(
            `  strategies ×${level.concurrency}: ours ${Math.round(perSecond)}/s vs pgbench hot row ${Math.round(hot.tps)} tps = ${pct(perSecond / hot.tps)}`,
          );
        }
      }
    } else if (step.name === 'relay') {
      const j = read<RelayResult>(out, step.name);
      for (const run of j?.runs ?? []) {
        lines.push(
          `  relay (consumer batch ${run.consumerBatch}): ${run.burst.eventsPerSecond} events/s vs kafkajs alone ${j!.baseline.messagesPerSecond} msg/s = ${pct(run.burst.eventsPerSecond / j!.baseline.messagesPerSecond)}; lag p99 at ${run.steady.rate}/s: ${run.steady.lagP99Ms} ms`,
        );
      }
    } else if (step.name === 'http-client') {
      const rows = read<HttpClientJson>(out, step.name)?.rows ?? [];
      if (rows.length === 2) {
        lines.push(
          `  http client: ${rows[0].cpuMicrosPerCall} µs CPU/call (InternalClient) vs ${rows[1].cpuMicrosPerCall} (fetch) = ${pct(rows[0].cpuMicrosPerCall / rows[1].cpuMicrosPerCall)}`,
        );
      }
    } else if (step.name === 'lock-endpoint') {
      for (const r of read<LockEndpointJson>(out, step.name)?.rows ?? []) {
        lines.push(
          `  lock endpoint ${r.shape} ×${r.concurrency}: ${Math.round(r.locksPerSecond)} locks/s vs ${r.baseline.name} ${Math.round(r.baseline.tps)} tps = ${pct(r.locksPerSecond / r.baseline.tps)}, p99 ${r.p99Ms.toFixed(0)} ms`,
        );
      }
    } else if (step.name === 'e2e') {
      for (const r of read<E2eJson>(out, step.name)?.rows ?? []) {
        lines.push(
          `  e2e ${r.shape} ×${r.buyers}: ${r.ordersPerSecond} orders/s vs ${r.baseline.name} ${r.baseline.tps} tps = ${pct(r.share)}, submit p99 ${r.submit.p99Ms} ms`,
        );
      }
    } else if (step.name === 'webhook') {
      const j = read<WebhookJson>(out, step.name);
      if (j) {
        lines.push(
          `  webhook: ${j.applied.perSecond} applied/s = ${pct(j.applied.share)}, ${j.duplicates.perSecond} duplicates/s = ${pct(j.duplicates.share)} of ${j.baseline.name} ${j.baseline.tps} tps`,
        );
      }
    }
  }
  return lines.join('\n');
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`bench: ${(err as Error).message}`);
      process.exit(2);
    },
  );
}
