import { LoadReport } from './run';

/** The readable report: the same figures as the JSON, as aligned tables. */
export function formatTable(r: LoadReport): string {
  const load =
    r.config.load.kind === 'closed' ? `closed loop, ${r.config.load.concurrency} in flight` : `open loop, ${r.config.load.ratePerSecond}/s`;
  const lines = [
    `scenario ${r.scenario}: ${r.config.users} users, ${r.orders.attempted} attempts, stock ${r.config.stock}${r.settlement.skus.length > 1 ? ` × ${r.settlement.skus.length} SKUs` : ''}, ${load}, seed ${r.config.seed}`,
    `orders placed ${r.orders.placed} in ${r.submitSeconds.toFixed(1)} s (${r.ordersPerSecond}/s); ${r.requestsPerSecond} requests/s overall`,
    '',
    table(
      ['endpoint', 'count', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
      Object.entries(r.endpoints).map(([k, e]) => [k, e.count, e.p50Ms, e.p95Ms, e.p99Ms, e.maxMs]),
    ),
    '',
    table(['outcome (endpoint status code)', 'count'], Object.entries(r.outcomes)),
    '',
    table(
      ['sku', 'stock before', 'units ordered', 'units paid', 'stock after', 'locked after'],
      r.settlement.skus.map((s) => [s.id, s.initialStock, s.granted, s.paidUnits, s.stock, s.lockedStock]),
    ),
    '',
    `paid ${r.settlement.paid}, cancelled ${r.settlement.cancelled} (late payments ${r.settlement.latePayments}, refunded ${r.settlement.refunded}), unsettled ${r.settlement.unsettled.length}; settled in ${r.settlement.settleSeconds.toFixed(1)} s`,
    `oversold units: ${r.oversoldUnits}; unsold units: ${r.unsoldUnits}; tokens with more than one order: ${r.orders.duplicatesAccepted}`,
    r.checker ? `consistency checker: ${r.checker.text.trim()}` : 'consistency checker: not run',
    r.verdict.ok ? 'VERDICT: OK' : `VERDICT: FAILED — ${r.verdict.problems.join('; ')}`,
  ];
  return lines.join('\n');
}

function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}
