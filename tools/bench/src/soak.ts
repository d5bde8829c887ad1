#!/usr/bin/env node
/**
 * The soak (issue 9): the load tool's `mixed` scenario (pays, late payments, duplicate submits and
 * notifications, cancels) as an open loop for `--minutes`, while the resident memory of every
 * service process is sampled from /proc. Prints, per service, RSS at the start and end of the
 * measured part and the least-squares trend over its second half (MB per minute), the 5xx count
 * and the consistency checker's verdict. Figures, not assertions: a person reads whether memory
 * is flat. Starts the system (npm start's script) when none answers; Linux only (/proc).
 */
import { loadEnv } from '@shop/consistency';
import { runLoad } from '@shop/load';
import { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { requireServicePids, rssMb, SERVICES } from './proc';
import { startSystem, stopSystem, systemReady } from './system';

const USAGE = 'usage: npm run soak -- [--minutes 10] [--rate 20] [--users 64] [--sample-seconds 5] [--json FILE]';

interface Sample {
  atSeconds: number;
  rssMb: Record<string, number>;
}

export interface SoakResult {
  date: string;
  minutes: number;
  rate: number;
  orders: { attempted: number; placed: number };
  fiveXx: number;
  checkerOk: boolean | null;
  verdictOk: boolean;
  memory: Array<{ service: string; startMb: number; endMb: number; trendMbPerMinute: number }>;
  samples: Sample[];
}

/** Least-squares slope of y over x. */
export function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) {
    return 0;
  }
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  const num = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0);
  const den = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      rate: { type: 'string', default: '20' },
      users: { type: 'string', default: '64' },
      'sample-seconds': { type: 'string', default: '5' },
      json: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const [minutes, rate, users, every] = [
    Number(values.minutes),
    Number(values.rate),
    Number(values.users),
    Number(values['sample-seconds']),
  ];
  if (values.help || ![minutes, rate, users, every].every((n) => Number.isFinite(n) && n > 0)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const env = await loadEnv();
  let system: ChildProcess | undefined;
  if (!(await systemReady(env))) {
    system = await startSystem(env, '.cache'); // its log: .cache/system.log
  }
  try {
    const pids = requireServicePids();
    const samples: Sample[] = [];
    const t0 = Date.now();
    const sample = (): void => {
      samples.push({
        atSeconds: Math.round((Date.now() - t0) / 1000),
        rssMb: Object.fromEntries(SERVICES.map((s) => [s, rssMb(pids[s])])),
      });
    };
    sample();
    const timer = setInterval(sample, every * 1000);
    const report = await runLoad({
      scenario: 'mixed',
      users,
      count: 10_000_000,
      durationMs: minutes * 60_000,
      load: { kind: 'open', ratePerSecond: rate, maxInFlight: 1024 },
      stock: 1_000_000,
      skus: 20,
      copies: 2,
      actions: { payShare: 0.4, lateShare: 0.2, timeoutShare: 0, notifyCopies: 3 },
      seed: 42,
      settleTimeoutMs: 300_000,
      targets: { ...env.serviceUrls, sandbox: env.sandboxUrl, internalToken: env.internalToken },
      check: {
        inventoryDatabaseUrl: env.inventoryDatabaseUrl,
        orderDatabaseUrl: env.orderDatabaseUrl,
        paymentDatabaseUrl: env.paymentDatabaseUrl,
      },
      onProgress: (line) => process.stderr.write(`\r${line}   `),
    });
    clearInterval(timer);
    sample();
    process.stderr.write('\n');
    // The load window only: the first 30 s are warm-up (JIT, pools), and after the load the settle
    // phase (every order's status read by a closed loop at full speed) is another workload whose
    // memory says nothing about a leak under the soak's load.
    const measured = samples.filter((s) => s.atSeconds >= 30 && s.atSeconds <= minutes * 60);
    const secondHalf = measured.slice(Math.floor(measured.length / 2));
    const memory = SERVICES.map((service) => ({
      service,
      startMb: measured[0]?.rssMb[service] ?? Number.NaN,
      endMb: measured[measured.length - 1]?.rssMb[service] ?? Number.NaN,
      trendMbPerMinute: Math.round(slope(secondHalf.map((s) => [s.atSeconds / 60, s.rssMb[service]])) * 100) / 100,
    }));
    const fiveXx = Object.entries(report.outcomes)
      .filter(([k]) => / 5\d\d( |$)/.test(k))
      .reduce((n, [, v]) => n + v, 0);
    const result: SoakResult = {
      date: new Date().toISOString(),
      minutes,
      rate,
      orders: { attempted: report.orders.attempted, placed: report.orders.placed },
      fiveXx,
      checkerOk: report.checker?.ok ?? null,
      verdictOk: report.verdict.ok,
      memory,
      samples,
    };
    console.log(
      `soak: mixed, ${rate}/s open loop for ${minutes} min — ${report.orders.placed} of ${report.orders.attempted} attempts placed`,
    );
    console.log('service     RSS start MB  RSS end MB  trend (2nd half) MB/min, over the load window');
    for (const m of memory) {
      console.log(
        `${m.service.padEnd(10)}  ${String(m.startMb).padStart(11)}  ${String(m.endMb).padStart(10)}  ${String(m.trendMbPerMinute).padStart(10)}`,
      );
    }
    console.log(
      `5xx answers: ${fiveXx}; checker: ${report.checker ? (report.checker.ok ? 'clean' : `${report.checker.violations} violations`) : 'not run'}; verdict: ${report.verdict.ok ? 'OK' : report.verdict.problems.join('; ')}`,
    );
    if (values.json) {
      writeFileSync(values.json, JSON.stringify(result, null, 2));
    }
    return report.verdict.ok && fiveXx === 0 ? 0 : 1;
  } finally {
    if (system) {
      await stopSystem(system);
    }
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`soak: ${(err as Error).message}`);
      process.exit(2);
    },
  );
}
