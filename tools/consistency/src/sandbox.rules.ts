/**
 * What Alipay (the sandbox) says about the money, against what the payment database recorded:
 * a REFUNDED payment was refunded there exactly once for its full amount, and a CLOSED payment of
 * a CANCELLED order did not in fact receive money (a late payment nobody recorded).
 */
import { yuanToCents } from '@shop/shared';
import { forEachBounded } from '@shop/shared';
import { errorMessage } from './batching';
import type { Findings } from './report';
import type { SandboxCandidate } from './rows';

/** Enough to be quick, few enough that a big check does not flood the sandbox. */
const CONCURRENCY = 16;
const REQUEST_TIMEOUT_MS = 5000;

export interface SandboxTrade {
  status: string;
  paidAt?: string | null;
  refunds: Array<{ outRequestNo: string; refundAmount: string; at?: string }>;
}

/** GET /sandbox/trades/:outTradeNo (SPEC §7); null when the trade was never opened (404). */
export async function fetchTrade(sandboxUrl: string, orderSn: string): Promise<SandboxTrade | null> {
  const url = `${sandboxUrl.replace(/\/+$/, '')}/sandbox/trades/${encodeURIComponent(orderSn)}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (res.status === 404) {
    await res.body?.cancel();
    return null;
  }
  if (res.status !== 200) {
    throw new Error(`GET ${url} answered ${res.status}`);
  }
  return (await res.json()) as SandboxTrade;
}

export async function checkSandbox(
  sandboxUrl: string,
  candidates: readonly SandboxCandidate[],
  cutoff: Date,
  findings: Findings,
): Promise<void> {
  const failures: string[] = [];
  await forEachBounded(candidates, CONCURRENCY, async (c) => {
    try {
      judgeTrade(c, await fetchTrade(sandboxUrl, c.orderSn), cutoff, findings);
      findings.count('sandboxTrades');
    } catch (err) {
      failures.push(`${c.orderSn}: ${errorMessage(err)}`);
    }
  });
  if (failures.length > 0) {
    findings.add('sandbox.unreadable', `${failures.length} sandbox trade reads failed, first: ${failures[0]}`, {
      sandboxUrl,
      failed: failures.length,
    });
  }
}

export function judgeTrade(c: SandboxCandidate, trade: SandboxTrade | null, cutoff: Date, findings: Findings): void {
  const ids = { orderSn: c.orderSn };
  if (c.status === 'CLOSED') {
    // 404: the payUrl was never opened, so no money can have arrived. A payment newer than the
    // cutoff is a late payment whose notification may still be on its way.
    const paid = trade?.status === 'TRADE_SUCCESS' || trade?.status === 'TRADE_FINISHED';
    const settled = !trade?.paidAt || Date.parse(trade.paidAt) <= cutoff.getTime();
    if (paid && settled) {
      findings.add('refund.missing', `order ${c.orderSn} is CANCELLED with a CLOSED payment, but Alipay says ${trade.status}`, ids);
    }
    return;
  }
  if (!trade) {
    findings.add('refund.exactly-once', `payment ${c.orderSn} is REFUNDED but Alipay has no such trade`, ids);
    return;
  }
  if (trade.refunds.length !== 1) {
    findings.add('refund.exactly-once', `payment ${c.orderSn} is REFUNDED but Alipay shows ${trade.refunds.length} refunds`, ids);
  }
  for (const r of trade.refunds) {
    const cents = yuanToCents(r.refundAmount);
    if (cents !== c.amount) {
      findings.add(
        'refund.exactly-once',
        `payment ${c.orderSn} of ${c.amount} cents was refunded ${r.refundAmount} yuan at Alipay (${r.outRequestNo})`,
        { orderSn: c.orderSn, outRequestNo: r.outRequestNo },
      );
    }
  }
}
