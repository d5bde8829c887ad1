/**
 * SPEC §10.3–4 for one order, as a pure function of what the three databases say about it:
 * its row and items (order), its locks (inventory) and its payment (payment).
 */
import type { Ids, RuleName } from './report';
import type { LockRow, LockStatus, OrderItemRow, OrderRow, PaymentRow } from './rows';

export interface OrderFacts {
  order: OrderRow;
  items: readonly OrderItemRow[];
  locks: readonly LockRow[];
  payment: PaymentRow | undefined;
}

export interface Judgement {
  rule: RuleName;
  message: string;
  ids: Ids;
}

export function judgeOrder(facts: OrderFacts): Judgement[] {
  switch (facts.order.status) {
    case 'PAID':
      return [...paidPayment(facts), ...locksMatchItems(facts, 'DEDUCTED', 'order.paid')];
    case 'UNPAID':
      return locksMatchItems(facts, 'LOCKED', 'order.unpaid-locks');
    case 'CANCELLED':
      return [...cancelledLocks(facts), ...cancelledPayment(facts)];
  }
}

/** A PAID order keeps exactly its money: one PAID payment of the same amount (REFUNDED is money given back). */
function paidPayment({ order, payment }: OrderFacts): Judgement[] {
  const sn = order.order_sn;
  if (!payment) {
    return [{ rule: 'order.paid', message: `order ${sn} is PAID but has no payment`, ids: { orderSn: sn } }];
  }
  const out: Judgement[] = [];
  if (payment.status !== 'PAID') {
    out.push({ rule: 'order.paid', message: `order ${sn} is PAID but its payment is ${payment.status}`, ids: { orderSn: sn } });
  }
  if (payment.amount !== order.total_amount) {
    out.push({
      rule: 'order.paid',
      message: `order ${sn} is PAID for ${order.total_amount} but its payment is for ${payment.amount}`,
      ids: { orderSn: sn },
    });
  }
  return out;
}

/**
 * Every item has its lock with the same quantity in `expected` status, and there is no lock for a
 * SKU the order does not contain (the lock request carries exactly the order's items).
 */
function locksMatchItems({ order, items, locks }: OrderFacts, expected: LockStatus, rule: RuleName): Judgement[] {
  const sn = order.order_sn;
  const bySku = new Map(locks.map((l) => [l.sku_id, l]));
  const out: Judgement[] = [];
  const add = (skuId: number, what: string): void => {
    out.push({ rule, message: `order ${sn} is ${order.status} but ${what}`, ids: { orderSn: sn, skuId } });
  };
  for (const item of items) {
    const lock = bySku.get(item.sku_id);
    if (!lock) {
      add(item.sku_id, `sku ${item.sku_id} has no lock`);
      continue;
    }
    if (lock.quantity !== item.quantity) {
      add(item.sku_id, `sku ${item.sku_id} is locked for ${lock.quantity}, ordered ${item.quantity}`);
    }
    if (lock.status !== expected) {
      add(item.sku_id, `its lock for sku ${item.sku_id} is ${lock.status} (expected ${expected})`);
    }
  }
  const ordered = new Set(items.map((i) => i.sku_id));
  for (const lock of locks) {
    if (!ordered.has(lock.sku_id)) {
      add(lock.sku_id, `it has a ${lock.status} lock for sku ${lock.sku_id}, which it does not contain`);
    }
  }
  return out;
}

function cancelledLocks({ order, locks }: OrderFacts): Judgement[] {
  const sn = order.order_sn;
  return locks
    .filter((l) => l.status !== 'RELEASED')
    .map((l) => ({
      rule: 'order.cancelled' as const,
      message: `order ${sn} is CANCELLED but its lock for sku ${l.sku_id} is ${l.status} (expected RELEASED)`,
      ids: { orderSn: sn, skuId: l.sku_id },
    }));
}

/** A CANCELLED order's trade is closed or its money refunded; a PAID payment is money kept. */
function cancelledPayment({ order, payment }: OrderFacts): Judgement[] {
  const sn = order.order_sn;
  switch (payment?.status) {
    case undefined:
    case 'CLOSED':
    case 'REFUNDED':
      return [];
    case 'PENDING':
      return [{ rule: 'order.cancelled', message: `order ${sn} is CANCELLED but its payment is still PENDING`, ids: { orderSn: sn } }];
    case 'PAID':
      return [
        {
          rule: 'refund.missing',
          message: `order ${sn} is CANCELLED but its payment of ${payment.amount} is PAID and was never refunded`,
          ids: { orderSn: sn },
        },
      ];
  }
}
