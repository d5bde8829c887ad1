/** Reading pgbench's summary (PostgreSQL 13+ prints "tps = X (without initial connection time)"). */

export interface PgbenchSummary {
  tps: number;
  latencyAverageMs: number | undefined;
  /** PostgreSQL 15 counts failed transactions; older versions print no such line (0). */
  failedTransactions: number;
  processedTransactions: number | undefined;
}

export function parsePgbenchOutput(stdout: string): PgbenchSummary {
  const tpsLines = [...stdout.matchAll(/^tps = ([0-9.]+) \(([^)]*)\)/gm)];
  // Before PostgreSQL 13 there were two lines; the one without connection set-up is the ceiling.
  const chosen = tpsLines.find((m) => /without|excluding/.test(m[2])) ?? tpsLines[0];
  if (chosen === undefined) {
    throw new Error(`no "tps = ..." line in pgbench output:\n${stdout}`);
  }
  return {
    tps: Number(chosen[1]),
    latencyAverageMs: numberAfter(stdout, /^latency average = ([0-9.]+) ms/m),
    failedTransactions: numberAfter(stdout, /^number of failed transactions: (\d+)/m) ?? 0,
    processedTransactions: numberAfter(stdout, /^number of transactions actually processed: (\d+)/m),
  };
}

function numberAfter(text: string, pattern: RegExp): number | undefined {
  const m = pattern.exec(text);
  return m ? Number(m[1]) : undefined;
}
