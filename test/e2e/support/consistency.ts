import { checkConsistency, formatReport, type CheckOptions, type Report } from '../../../tools/consistency/src';

/**
 * Waits until the whole system is consistent (SPEC §10), or fails the test with every violation
 * still standing. Flows settle asynchronously (outbox relay, consumers, sweeper), so this polls the
 * checker until it reports ok or the deadline passes: a condition, not a sleep.
 */
export async function expectConsistent(opts: CheckOptions & { timeoutMs?: number }): Promise<void> {
  const { timeoutMs = 20_000, ...options } = opts;
  const deadline = Date.now() + timeoutMs;
  let report: Report;
  for (;;) {
    report = await checkConsistency(options);
    if (report.ok || Date.now() >= deadline) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (!report.ok) {
    throw new Error(`the system is not consistent after ${timeoutMs} ms:\n${formatReport(report)}`);
  }
}
