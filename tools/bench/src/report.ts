/** The readable table and the JSON document of one run. */
import type { LevelResult, StrategyResult } from './bench';
import { ratio } from './race-verdict';

export interface MachineInfo {
  date: string;
  cpus: number;
  cpuModel: string;
  platform: string;
  node: string;
  postgres: string;
  pgbench: string;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
}

export interface RunReport {
  benchmark: 'lock-strategies';
  command: string;
  machine: MachineInfo;
  settings: { seconds: number; stock: number; raceStock: number; raceAttempts: number; maxPool: number };
  levels: LevelResult[];
  /** Strategies 1-4 that oversold at some level, as "name@concurrency". */
  oversellers: string[];
  /** Levels at which the naive control did not oversell: the counter is unproven there. */
  unprovenLevels: number[];
}

export function findOversellers(levels: LevelResult[]): string[] {
  return levels.flatMap((l) =>
    l.strategies.filter((s) => s.mustNotOversell && s.race.oversold > 0).map((s) => `${s.name}@${l.concurrency}`),
  );
}

export function findUnprovenLevels(levels: LevelResult[]): number[] {
  return levels.filter((l) => l.strategies.some((s) => !s.mustNotOversell && s.race.oversold === 0)).map((l) => l.concurrency);
}

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fixed = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
}

const HEAD = ['strategy', 'ops/s', 'p50 ms', 'p99 ms', 'vs ours', 'errors', 'race granted/stock', 'lost upd', 'oversold'];
const WIDTHS = [27, 8, 7, 8, 7, 6, 18, 8, 8];

function strategyRow(s: StrategyResult, ours: number): string {
  const t = s.throughput;
  return row(
    [
      s.name === 'conditional-update' ? `${s.name} (ours)` : s.name,
      int.format(t.opsPerSecond),
      fixed(t.p50Ms, 1),
      fixed(t.p99Ms, 1),
      `${fixed(ratio(t.opsPerSecond, ours), 2)}x`,
      String(t.errors + s.race.errors),
      `${s.race.unitsGranted}/${s.race.stock}`,
      String(s.race.lostUpdates),
      String(s.race.oversold),
    ],
    WIDTHS,
  );
}

export function formatLevel(level: LevelResult): string {
  const ours = level.strategies.find((s) => s.name === 'conditional-update')?.throughput.opsPerSecond ?? Number.NaN;
  const lines = [
    `concurrency ${level.concurrency}: ${level.concurrency} closed-loop workers over ${level.poolSize} PostgreSQL connections`,
    `  ${row(HEAD, WIDTHS)}`,
    ...level.strategies.map((s) => `  ${strategyRow(s, ours)}`),
    `  baselines, bare conditional UPDATE in autocommit (pgbench -c ${level.poolSize} -j 2 -M prepared):`,
    ...level.baselines.map((b) =>
      b.error === undefined
        ? `    ${b.name.padEnd(20)} ${int.format(b.tps).padStart(8)} tps   ours = ${fixed(ratio(ours, b.tps), 3)} of it`
        : `    ${b.name.padEnd(20)} FAILED: ${b.error.split('\n').slice(-3).join(' | ')}`,
    ),
    ...notes(level),
  ];
  return lines.join('\n');
}

function notes(level: LevelResult): string[] {
  const out = level.baselines
    .filter((b) => b.failedTransactions > 0)
    .map((b) => `  note: ${b.name} had ${b.failedTransactions} failed transactions`);
  for (const s of level.strategies) {
    if (s.mustNotOversell && s.race.oversold > 0) {
      out.push(`  FAIL: ${s.name} oversold ${s.race.oversold} units at concurrency ${level.concurrency}`);
    }
    if (!s.mustNotOversell) {
      out.push(
        s.race.oversold > 0
          ? `  control: ${s.name} oversold ${s.race.oversold} units: the race run can see an oversell at this level`
          : `  control: ${s.name} did NOT oversell: the oversell counter could not be proven at concurrency ${level.concurrency}`,
      );
    }
    const errors = s.throughput.errors + s.race.errors;
    if (errors > 0) {
      out.push(`  note: ${s.name} had ${errors} failed requests, first: ${s.throughput.firstError ?? s.race.firstError ?? '?'}`);
    }
    if (s.throughput.refused > 0) {
      out.push(`  note: ${s.name} was refused ${s.throughput.refused} times in the throughput run (--stock too small?)`);
    }
  }
  return out;
}

export function formatHeader(r: Pick<RunReport, 'machine' | 'settings'>): string {
  const m = r.machine;
  return [
    `lock strategies, ${m.date}: ${m.cpus} cores (${m.cpuModel}), node ${m.node}, ${m.postgres.split(',')[0]}`,
    `the load generator, PostgreSQL and Redis share these ${m.cpus} cores: figures are ratios within this run, not capacities.`,
    `each throughput run ${r.settings.seconds} s on one hot SKU; each race ${r.settings.raceAttempts} one-unit attempts on ${r.settings.raceStock} units`,
    `(race rows have no CHECK constraint, so an oversell shows instead of failing); load average before: ${m.loadAverageBefore.map((n) => n.toFixed(2)).join(' ')}`,
  ].join('\n');
}

export function formatFooter(r: RunReport): string {
  const lines = [`load average after: ${r.machine.loadAverageAfter.map((n) => n.toFixed(2)).join(' ')}`];
  lines.push(r.oversellers.length > 0 ? `FAIL: oversold: ${r.oversellers.join(', ')}` : 'strategies 1-4: 0 units oversold at every level');
  if (r.unprovenLevels.length > 0) {
    lines.push(`the naive control did not oversell at concurrency ${r.unprovenLevels.join(', ')}: the counter is unproven there`);
  }
  return lines.join('\n');
}
