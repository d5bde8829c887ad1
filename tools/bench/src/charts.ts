#!/usr/bin/env node
/**
 * Chart images for docs/benchmarks.md, generated from the benchmarks' JSON (no browser, no CDN):
 * throughput and p99 against concurrency, one line per strategy (lock-strategies JSON) and per
 * shape (bench:e2e JSON). `node tools/bench/dist/charts.js --lock FILE [--e2e FILE] --out DIR`
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

export interface Series {
  name: string;
  points: Array<[number, number]>;
}

const COLORS = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1', '#c53030', '#718096'];

/** A line chart as a standalone SVG: x = the levels (evenly spaced), y from 0 to the largest value. */
export function lineChart(title: string, yLabel: string, series: Series[]): string {
  const [w, h, left, bottom, top, right] = [720, 360, 70, 50, 40, 190];
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const ymax = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[1]))) * 1.1;
  const X = (x: number): number => left + (xs.length > 1 ? (xs.indexOf(x) / (xs.length - 1)) * (w - left - right) : (w - left - right) / 2);
  const Y = (y: number): number => h - bottom - (y / ymax) * (h - top - bottom);
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const y = Y(ymax * f);
    return `<line x1="${left}" y1="${y}" x2="${w - right}" y2="${y}" stroke="#e2e8f0"/><text x="${left - 8}" y="${y + 4}" text-anchor="end">${fmt(ymax * f)}</text>`;
  });
  const ticks = xs.map((x) => `<text x="${X(x)}" y="${h - bottom + 18}" text-anchor="middle">${x}</text>`);
  const lines = series.map((s, i) => {
    const c = COLORS[i % COLORS.length];
    const pts = s.points.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ');
    const dots = s.points.map(([x, y]) => `<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="3" fill="${c}"/>`).join('');
    return `<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts}"/>${dots}<text x="${w - right + 12}" y="${top + 16 + i * 18}" fill="${c}">${esc(s.name)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/><text x="${left}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>
${grid.join('\n')}
${ticks.join('\n')}<text x="${(left + w - right) / 2}" y="${h - 12}" text-anchor="middle">concurrency</text>
<text x="16" y="${(top + h - bottom) / 2}" transform="rotate(-90 16 ${(top + h - bottom) / 2})" text-anchor="middle">${esc(yLabel)}</text>
${lines.join('\n')}
</svg>
`;
}

interface LockJson {
  levels: Array<{ concurrency: number; strategies: Array<{ name: string; throughput: { opsPerSecond: number; p99Ms: number } }> }>;
}
interface LockEndpointJson {
  rows: Array<{ shape: string; concurrency: number; locksPerSecond: number; baseline: { tps: number } }>;
}
interface E2eJson {
  rows: Array<{ shape: string; buyers: number; ordersPerSecond: number; submit: { p99Ms: number } }>;
}

function bySeries<T>(items: T[], name: (t: T) => string, point: (t: T) => [number, number]): Series[] {
  const map = new Map<string, Array<[number, number]>>();
  for (const t of items) {
    map.set(name(t), [...(map.get(name(t)) ?? []), point(t)]);
  }
  return [...map].map(([n, points]) => ({ name: n, points }));
}

function main(): void {
  const { values } = parseArgs({
    options: {
      lock: { type: 'string' },
      e2e: { type: 'string' },
      // LABEL=FILE,LABEL=FILE: lock-endpoint runs to compare (e.g. before=…,after=…)
      'lock-endpoint': { type: 'string' },
      out: { type: 'string', default: 'docs/img' },
    },
  });
  mkdirSync(values.out, { recursive: true });
  const write = (file: string, svg: string): void => writeFileSync(path.join(values.out, file), svg);
  if (values.lock) {
    const runs = (JSON.parse(readFileSync(values.lock, 'utf8')) as LockJson).levels.flatMap((l) =>
      l.strategies.map((s) => ({ c: l.concurrency, ...s })),
    );
    write(
      'lock-strategies-throughput.svg',
      lineChart(
        'Stock lock strategies: throughput (one hot SKU)',
        'granted locks/s',
        bySeries(
          runs,
          (r) => r.name,
          (r) => [r.c, r.throughput.opsPerSecond],
        ),
      ),
    );
    write(
      'lock-strategies-p99.svg',
      lineChart(
        'Stock lock strategies: p99 latency (one hot SKU)',
        'p99 ms',
        bySeries(
          runs,
          (r) => r.name,
          (r) => [r.c, r.throughput.p99Ms],
        ),
      ),
    );
  }
  if (values['lock-endpoint']) {
    const series = values['lock-endpoint'].split(',').flatMap((pair) => {
      const [label, file] = pair.split('=');
      const rows = (JSON.parse(readFileSync(file, 'utf8')) as LockEndpointJson).rows;
      return bySeries(
        rows,
        (r) => `${r.shape} ${label}`,
        (r) => [r.concurrency, (100 * r.locksPerSecond) / r.baseline.tps],
      );
    });
    write('lock-endpoint-share.svg', lineChart('Lock endpoint as a share of the same-run pgbench ceiling', '% of ceiling', series));
  }
  if (values.e2e) {
    const rows = (JSON.parse(readFileSync(values.e2e, 'utf8')) as E2eJson).rows;
    write(
      'e2e-submit-throughput.svg',
      lineChart(
        'Confirm + submit end to end: throughput',
        'orders/s',
        bySeries(
          rows,
          (r) => r.shape,
          (r) => [r.buyers, r.ordersPerSecond],
        ),
      ),
    );
    write(
      'e2e-submit-p99.svg',
      lineChart(
        'Confirm + submit end to end: submit p99',
        'p99 ms',
        bySeries(
          rows,
          (r) => r.shape,
          (r) => [r.buyers, r.submit.p99Ms],
        ),
      ),
    );
  }
}

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en') : n.toFixed(1);
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

if (require.main === module) {
  main();
}
