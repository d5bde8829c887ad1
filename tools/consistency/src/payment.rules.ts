/**
 * Payment-side rules: money recorded for an order that is not PAID (payment.orphan), and every
 * refund recorded exactly once for a REFUNDED payment of a CANCELLED order (refund.exactly-once).
 * Returns the payments whose story only the sandbox can confirm.
 */
import { CHUNK_SIZE, groupBy } from './batching';
import { ordersBySn } from './order.rules';
import type { Findings } from './report';
import type { OrderRow, PaymentRow, RefundRow, SandboxCandidate } from './rows';
import type { Db, Snapshot } from './snapshot';

export async function checkPayments(snapshot: Snapshot, findings: Findings): Promise<SandboxCandidate[]> {
  const candidates: SandboxCandidate[] = [];
  let after = '';
  for (;;) {
    const { rows: payments } = await snapshot.db.payment.query<PaymentRow>(
      `SELECT order_sn, status, amount, updated_at FROM payments
        WHERE order_sn > $1 ORDER BY order_sn LIMIT $2`,
      [after, CHUNK_SIZE],
    );
    if (payments.length === 0) {
      break;
    }
    findings.count('payments', payments.length);
    const sns = payments.map((p) => p.order_sn);
    const [orders, refunds] = await Promise.all([ordersBySn(snapshot.db.order, sns), refundsOf(snapshot.db.payment, sns)]);
    for (const payment of payments) {
      const order = orders.get(payment.order_sn);
      if (!snapshot.settled(payment.updated_at, order?.updated_at)) {
        continue; // in flight: the next run judges it
      }
      judgePayment(payment, order, refunds.get(payment.order_sn) ?? [], findings, candidates);
    }
    after = payments[payments.length - 1].order_sn;
  }
  await checkStrayRefunds(snapshot.db.payment, findings);
  return candidates;
}

function judgePayment(
  payment: PaymentRow,
  order: OrderRow | undefined,
  refunds: RefundRow[],
  findings: Findings,
  candidates: SandboxCandidate[],
): void {
  const sn = payment.order_sn;
  switch (payment.status) {
    case 'PAID':
      // A PAID payment of a CANCELLED order is the order pass's refund.missing; not reported twice.
      if (!order || order.status === 'UNPAID') {
        const what = order ? 'is UNPAID' : 'does not exist';
        findings.add('payment.orphan', `payment ${sn} of ${payment.amount} is PAID but its order ${what}`, { orderSn: sn });
      }
      return;
    case 'REFUNDED':
      judgeRefunded(payment, order, refunds, findings);
      candidates.push({ orderSn: sn, status: 'REFUNDED', amount: payment.amount });
      return;
    case 'CLOSED':
      if (order?.status === 'CANCELLED') {
        candidates.push({ orderSn: sn, status: 'CLOSED', amount: payment.amount });
      }
      return;
    case 'PENDING':
      return;
  }
}

function judgeRefunded(payment: PaymentRow, order: OrderRow | undefined, refunds: RefundRow[], findings: Findings): void {
  const sn = payment.order_sn;
  const ids = { orderSn: sn };
  if (refunds.length !== 1) {
    findings.add('refund.exactly-once', `payment ${sn} is REFUNDED with ${refunds.length} refund rows (expected 1)`, ids);
  }
  for (const r of refunds.filter((x) => x.amount !== payment.amount)) {
    findings.add('refund.exactly-once', `payment ${sn} of ${payment.amount} has refund ${r.out_request_no} of ${r.amount}`, {
      orderSn: sn,
      outRequestNo: r.out_request_no,
    });
  }
  if (order?.status !== 'CANCELLED') {
    const what = order ? `is ${order.status}` : 'does not exist';
    findings.add('refund.exactly-once', `payment ${sn} is REFUNDED but its order ${what} (only a CANCELLED order is refunded)`, ids);
  }
}

async function refundsOf(db: Db, sns: string[]): Promise<Map<string, RefundRow[]>> {
  const { rows } = await db.query<RefundRow>(
    'SELECT out_request_no, order_sn, amount FROM refunds WHERE order_sn = ANY($1::varchar[]) ORDER BY out_request_no',
    [sns],
  );
  return groupBy(rows, (r) => r.order_sn);
}

/** A refund row is money sent back; it must belong to a payment that says so. Same database, one join. */
async function checkStrayRefunds(db: Db, findings: Findings): Promise<void> {
  const { rows } = await db.query<{ out_request_no: string; order_sn: string; amount: number; status: string | null }>(
    `SELECT r.out_request_no, r.order_sn, r.amount, p.status
       FROM refunds r LEFT JOIN payments p ON p.order_sn = r.order_sn
      WHERE p.status IS DISTINCT FROM 'REFUNDED'
      ORDER BY r.order_sn, r.out_request_no`,
  );
  for (const r of rows) {
    const whose = r.status ? `a ${r.status} payment` : 'no payment';
    findings.add('refund.exactly-once', `refund ${r.out_request_no} of ${r.amount} belongs to ${whose} (order ${r.order_sn})`, {
      orderSn: r.order_sn,
      outRequestNo: r.out_request_no,
    });
  }
}
