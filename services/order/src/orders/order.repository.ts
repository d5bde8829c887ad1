import { Injectable } from '@nestjs/common';
import type { OutboxRow } from '@shop/shared';
import type { SqlStatement } from '@shop/shared/nest';
import { CancelReason, OrderStatus } from '../generated/prisma/client';
import { OrderTx } from '../infrastructure/prisma/order-prisma.service';
import { OrderRecord } from './order-response';

const WITH_DETAILS = { items: { orderBy: { skuId: 'asc' } }, logistics: true } as const;

export interface NewOrder {
  orderSn: string;
  userId: number;
  totalAmount: number;
  payDeadline: Date;
  items: Array<{ skuId: number; title: string; unitPrice: number; quantity: number; subtotal: number }>;
  logistics: { receiver: string; phone: string; region: string; detail: string };
}

export interface StatusPatch {
  paidAt?: Date;
  cancelReason?: CancelReason;
  cancelledAt?: Date;
}

/** The submit's one statement (see `insert`); $1… in the order `insert` passes them. */
const INSERT_ORDER: SqlStatement = {
  name: 'order_insert_with_outbox',
  text: `
    WITH o AS (
      INSERT INTO orders (order_sn, user_id, total_amount, pay_deadline)
      VALUES ($1, $2::int, $3::int, $4::timestamptz)
      RETURNING order_sn, status, created_at
    ), i AS (
      INSERT INTO order_items (order_sn, sku_id, title, unit_price, quantity, subtotal)
      SELECT o.order_sn, x."skuId", x.title, x."unitPrice", x.quantity, x.subtotal
        FROM o, jsonb_to_recordset($5::jsonb)
             AS x("skuId" int, title text, "unitPrice" int, quantity int, subtotal int)
    ), l AS (
      INSERT INTO order_logistics (order_sn, receiver, phone, region, detail)
      SELECT o.order_sn, $6, $7, $8, $9 FROM o
    ), e AS (
      INSERT INTO outbox_events (event_id, topic, message_key, type, envelope)
      SELECT $10::uuid, $11, $12, $13, $14::jsonb FROM o
    )
    SELECT status::text AS status, created_at AS "createdAt" FROM o`,
};

@Injectable()
export class OrderRepository {
  constructor(private readonly tx: OrderTx) {}

  /**
   * Order, items, logistics and its `OrderCreated` outbox row in ONE statement (data-modifying
   * CTEs: one round trip, the foreign keys checked at its end), answered with the order as stored —
   * the submit's hot path needs no re-read. Being one statement, it commits the outbox row exactly
   * when the order, as the outbox requires, without an interactive transaction around it
   * (`TransactionHost.query`: no BEGIN/COMMIT round trips, no Prisma create). orderSn is the
   * primary key: a second order for one token fails here (unique violation), and writes no row.
   * Raw SQL behind this repository because the nested create and the transaction around it cost
   * most of the order service's CPU per submit (docs/benchmarks.md).
   */
  async insert(o: NewOrder, event: OutboxRow): Promise<OrderRecord> {
    // Explicit columns: callers pass richer objects (catalog lines, the user's address).
    const items = [...o.items]
      .sort((a, b) => a.skuId - b.skuId)
      .map(({ skuId, title, unitPrice, quantity, subtotal }) => ({ skuId, title, unitPrice, quantity, subtotal }));
    const logistics = { receiver: o.logistics.receiver, phone: o.logistics.phone, region: o.logistics.region, detail: o.logistics.detail };
    const [row] = await this.tx.query<{ status: OrderStatus; createdAt: Date }>(INSERT_ORDER, [
      o.orderSn,
      o.userId,
      o.totalAmount,
      o.payDeadline,
      JSON.stringify(items),
      logistics.receiver,
      logistics.phone,
      logistics.region,
      logistics.detail,
      event.eventId,
      event.topic,
      event.messageKey,
      event.type,
      JSON.stringify(event.envelope),
    ]);
    return {
      orderSn: o.orderSn,
      userId: o.userId,
      status: row.status,
      totalAmount: o.totalAmount,
      payDeadline: o.payDeadline,
      paidAt: null,
      cancelReason: null,
      createdAt: row.createdAt,
      items,
      logistics,
    };
  }

  findBySn(orderSn: string): Promise<OrderRecord | null> {
    return this.tx.client.order.findUnique({ where: { orderSn }, include: WITH_DETAILS });
  }

  /** Scoped by owner: another user's order is simply not found. */
  findForUser(userId: number, orderSn: string): Promise<OrderRecord | null> {
    return this.tx.client.order.findFirst({ where: { orderSn, userId }, include: WITH_DETAILS });
  }

  async listForUser(userId: number, page: number, pageSize: number): Promise<{ items: OrderRecord[]; total: number }> {
    const [items, total] = await Promise.all([
      this.tx.client.order.findMany({
        where: { userId },
        include: WITH_DETAILS,
        orderBy: [{ createdAt: 'desc' }, { orderSn: 'desc' }],
        skip: (page - 1) * pageSize,
        take: pageSize,
      }),
      this.tx.client.order.count({ where: { userId } }),
    ]);
    return { items, total };
  }

  /**
   * The order with its row locked until the caller's transaction ends: a consumer deciding from the
   * status (PaymentSucceeded: UNPAID → PAID, CANCELLED → reject) and a concurrent cancel queue here.
   */
  async lockBySn(orderSn: string): Promise<OrderRecord | null> {
    if (!this.tx.inTransaction) {
      throw new Error('OrderRepository.lockBySn must run inside a transaction');
    }
    const locked = await this.tx.client.$queryRaw<Array<{ order_sn: string }>>`
      SELECT order_sn FROM orders WHERE order_sn = ${orderSn} FOR UPDATE`;
    return locked.length === 0 ? null : this.findBySn(orderSn);
  }

  /**
   * UNPAID orders past their deadline, oldest deadline first, after the keyset cursor
   * (deadline, orderSn) — served by the (status, pay_deadline) index, so a flash sale's worth of
   * expiries is walked page by page without OFFSET.
   */
  findOverdueUnpaid(now: Date, after: { payDeadline: Date; orderSn: string } | null, limit: number): Promise<OrderRecord[]> {
    const cursor = after
      ? { OR: [{ payDeadline: { gt: after.payDeadline } }, { payDeadline: after.payDeadline, orderSn: { gt: after.orderSn } }] }
      : {};
    return this.tx.client.order.findMany({
      where: { status: 'UNPAID', payDeadline: { lt: now }, ...cursor },
      include: WITH_DETAILS,
      orderBy: [{ payDeadline: 'asc' }, { orderSn: 'asc' }],
      take: limit,
    });
  }

  countOverdueUnpaid(now: Date): Promise<number> {
    return this.tx.client.order.count({ where: { status: 'UNPAID', payDeadline: { lt: now } } });
  }

  /**
   * The only way an order's status changes: one conditional UPDATE on the current status. Two
   * racing transitions (a payment and a cancel) cannot both win — the loser updates 0 rows.
   */
  async updateStatusIf(orderSn: string, from: OrderStatus, to: OrderStatus, patch: StatusPatch): Promise<boolean> {
    const { count } = await this.tx.client.order.updateMany({ where: { orderSn, status: from }, data: { status: to, ...patch } });
    return count === 1;
  }
}
