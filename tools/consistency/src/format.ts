/** The human-readable report: violations grouped by rule, one line each, then one summary line. */
import { groupBy } from './batching';
import type { Report } from './report';

export function formatReport(report: Report): string {
  const lines: string[] = [];
  const byRule = groupBy(report.violations, (v) => v.rule);
  for (const [rule, list] of byRule) {
    lines.push(`${rule} (${list.length})`);
    lines.push(...list.map((v) => `  ${v.message}`));
  }
  lines.push(summaryLine(report, byRule.size));
  return lines.join('\n');
}

function summaryLine(report: Report, rules: number): string {
  const checked = Object.entries(report.checked)
    .map(([what, n]) => `${n} ${what}`)
    .join(', ');
  if (report.ok) {
    return `consistent: no violations (checked ${checked || 'nothing'})`;
  }
  const n = report.violations.length;
  return `NOT consistent: ${n} violation${n === 1 ? '' : 's'} of ${rules} rule${rules === 1 ? '' : 's'} (checked ${checked})`;
}
