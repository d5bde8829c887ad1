import { checkConsistency, formatReport, Report as CheckReport } from '@shop/consistency';
import { Storefront, Targets } from './api';
import { Load } from './runner';
import { runScenario, ScenarioName, ScenarioOptions } from './scenarios';
import { Actions, settle, Settlement } from './settle';
import { EndpointStats, Recorder } from './stats';
import { prepareBuyers } from './users';

export interface RunConfig extends ScenarioOptions {
  scenario: ScenarioName;
  targets: Targets;
  actions: Actions;
  settleTimeoutMs: number;
  /** Databases etc. for the consistency checker; omitted = the checker is not run. */
  check?: Parameters<typeof checkConsistency>[0];
  onProgress?: (line: string) => void;
  /** Called right before and after the measured phase (the scenario's requests; not buyer setup or settling). */
  onMeasured?: { start?: () => void; end?: () => void };
}

export interface LoadReport {
  scenario: ScenarioName;
  config: { users: number; count: number; stock: number; skus: number; load: Load; seed: number; actions: Actions; copies: number };
  startedAt: string;
  submitSeconds: number;
  ordersPerSecond: number;
  requestsPerSecond: number;
  outcomes: Record<string, number>;
  endpoints: Record<string, EndpointStats>;
  timeline: Recorder['timeline'];
  orders: { attempted: number; placed: number; duplicatesAccepted: number };
  settlement: Settlement;
  oversoldUnits: number;
  /** Units still on the shelf that a refused buyer had asked for (0 = nobody was refused while stock was there). */
  unsoldUnits: number;
  checker: { ok: boolean; violations: number; text: string } | null;
  verdict: { ok: boolean; problems: string[] };
}

export async function runLoad(c: RunConfig): Promise<LoadReport> {
  const recorder = new Recorder();
  const shop = new Storefront(c.targets, recorder);
  const buyers = await prepareBuyers(shop, c.users, c.seed);
  const progress = setInterval(() => c.onProgress?.(progressLine(recorder)), 1000);
  c.onMeasured?.start?.();
  const started = Date.now();
  let run;
  try {
    run = await runScenario(shop, c.scenario, buyers, c);
  } finally {
    clearInterval(progress);
    c.onMeasured?.end?.();
  }
  const submitSeconds = (Date.now() - started) / 1000;
  const settlement = await settle(shop, run, c.actions, c.seed, c.load, c.settleTimeoutMs);
  const checker = c.check ? await checkConsistency(c.check) : null;
  recorder.closeSecond();
  const oversold = settlement.skus.reduce((n, s) => n + Math.max(0, s.granted - s.initialStock), 0);
  // One hot SKU, one unit per attempt: every attempt refused while units were left is an unsold unit.
  // (Baskets over several SKUs have no such simple count; multi-sku reports 0.)
  const unsold = run.skus.length > 1 ? 0 : Math.max(0, Math.min(run.skus[0].stock, run.attempted) - settlement.skus[0].granted);
  const report: LoadReport = {
    scenario: c.scenario,
    config: {
      users: c.users,
      count: c.count,
      stock: c.stock,
      skus: c.skus,
      load: c.load,
      seed: c.seed,
      actions: c.actions,
      copies: c.copies,
    },
    startedAt: new Date(started).toISOString(),
    submitSeconds,
    ordersPerSecond: round(run.orders.length / submitSeconds),
    requestsPerSecond: round(recorder.requests / ((Date.now() - recorder.startedAt) / 1000)),
    outcomes: recorder.outcomeTable(),
    endpoints: recorder.endpoints(),
    timeline: recorder.timeline,
    orders: { attempted: run.attempted, placed: run.orders.length, duplicatesAccepted: run.acceptedPerToken.filter((n) => n > 1).length },
    settlement,
    oversoldUnits: oversold,
    unsoldUnits: unsold,
    checker: checker && summary(checker),
    verdict: { ok: true, problems: [] },
  };
  report.verdict = verdictOf(report);
  return report;
}

export function verdictOf(r: LoadReport): LoadReport['verdict'] {
  const problems: string[] = [];
  if (r.oversoldUnits > 0) {
    problems.push(`${r.oversoldUnits} units oversold`);
  }
  if (r.orders.duplicatesAccepted > 0) {
    problems.push(`${r.orders.duplicatesAccepted} tokens yielded more than one order`);
  }
  for (const s of r.settlement.skus) {
    if (s.stock !== s.initialStock - s.paidUnits || s.lockedStock !== 0) {
      problems.push(
        `SKU ${s.id}: stock ${s.stock}, locked ${s.lockedStock} after settling; expected ${s.initialStock - s.paidUnits} and 0`,
      );
    }
  }
  if (r.settlement.refunded !== r.settlement.latePayments) {
    problems.push(`${r.settlement.latePayments - r.settlement.refunded} late payments not refunded`);
  }
  if (r.settlement.unsettled.length > 0) {
    problems.push(`${r.settlement.unsettled.length} orders neither PAID nor CANCELLED`);
  }
  const fiveHundreds = Object.entries(r.outcomes).filter(([k]) => / (5\d\d|0)( |$)/.test(k));
  for (const [k, n] of fiveHundreds) {
    problems.push(`${n} × ${k}`);
  }
  if (r.checker && !r.checker.ok) {
    problems.push(`consistency checker: ${r.checker.violations} violations`);
  }
  return { ok: problems.length === 0, problems };
}

function summary(report: CheckReport): { ok: boolean; violations: number; text: string } {
  return { ok: report.ok, violations: report.violations.length, text: formatReport(report) };
}

function progressLine(r: Recorder): string {
  const elapsed = (Date.now() - r.startedAt) / 1000;
  return `${r.requests} requests, ${round(r.requests / elapsed)}/s, ${r.errors} errors (5xx/transport), p99 ${round(r.recentP99Ms())} ms`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
