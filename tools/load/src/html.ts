import { LoadReport } from './run';

/**
 * One self-contained HTML file per run (no CDN, no script): throughput, errors and p99 over time as
 * inline SVG, the endpoint and outcome tables, the shelf, and the checker's verdict.
 */
export function renderHtml(r: LoadReport): string {
  const t = r.timeline;
  const charts = [
    chart(
      'Throughput (requests/s)',
      t.map((p) => p.requests),
      '#2b6cb0',
    ),
    chart(
      'Errors (5xx/transport per s)',
      t.map((p) => p.errors),
      '#c53030',
    ),
    chart(
      'Latency p99 per second (ms)',
      t.map((p) => p.p99Ms),
      '#2f855a',
    ),
  ].join('\n');
  const endpoints = rows(Object.entries(r.endpoints).map(([k, e]) => [k, e.count, e.p50Ms, e.p95Ms, e.p99Ms, e.maxMs]));
  const outcomes = rows(Object.entries(r.outcomes));
  const shelf = rows(r.settlement.skus.map((s) => [s.id, s.initialStock, s.granted, s.paidUnits, s.stock, s.lockedStock]));
  const verdict = r.verdict.ok ? 'OK' : `FAILED: ${r.verdict.problems.join('; ')}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>load: ${esc(r.scenario)} — ${esc(verdict)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;max-width:1100px}table{border-collapse:collapse;margin:8px 0 20px}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}
.ok{color:#2f855a}.bad{color:#c53030}figure{margin:0 0 16px}svg{background:#fafafa;border:1px solid #ddd}</style></head>
<body>
<h1>${esc(r.scenario)} <span id="verdict" class="${r.verdict.ok ? 'ok' : 'bad'}">${esc(verdict)}</span></h1>
<p>${r.config.users} users, ${r.orders.attempted} attempts, started ${esc(r.startedAt)}; ${r.orders.placed} orders in ${r.submitSeconds.toFixed(1)} s
(${r.ordersPerSecond}/s); oversold units <b>${r.oversoldUnits}</b>, unsold units ${r.unsoldUnits}; settled in ${r.settlement.settleSeconds.toFixed(1)} s.</p>
<p>Consistency checker: ${esc(r.checker ? r.checker.text.trim() : 'not run')}</p>
${charts}
<h2>Latency per endpoint (ms)</h2><table><tr><th>endpoint</th><th>count</th><th>p50</th><th>p95</th><th>p99</th><th>max</th></tr>${endpoints}</table>
<h2>Outcomes</h2><table><tr><th>endpoint status code</th><th>count</th></tr>${outcomes}</table>
<h2>Shelf</h2><table><tr><th>sku</th><th>stock before</th><th>ordered</th><th>paid</th><th>stock after</th><th>locked after</th></tr>${shelf}</table>
</body></html>
`;
}

function chart(title: string, values: number[], color: string): string {
  const w = 1000;
  const h = 160;
  const top = Math.max(0, ...values);
  const max = Math.max(1, top);
  const step = values.length > 1 ? w / (values.length - 1) : 0;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(h - (v / max) * (h - 10)).toFixed(1)}`).join(' ');
  return `<figure><figcaption>${esc(title)} — max ${top}</figcaption>
<svg class="chart" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(title)}"><polyline fill="none" stroke="${color}" stroke-width="2" points="${points}"/></svg></figure>`;
}

function rows(data: Array<Array<string | number>>): string {
  return data.map((r) => `<tr>${r.map((c) => `<td>${esc(String(c))}</td>`).join('')}</tr>`).join('');
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
