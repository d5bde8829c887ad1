/**
 * Factories for the checker's own integration tests (never loaded by the tools): private clones of
 * the three migrated databases and rows inserted directly, so a test can build any state,
 * including ones the services would refuse to produce.
 */
import { createTestDatabase } from '@shop/shared/testing';
import { Client } from 'pg';
import type { CheckOptions } from './report';
import type { LockStatus, OrderStatus, PaymentStatus } from './rows';

export interface TestWorld {
  inventory: Client;
  order: Client;
  payment: Client;
  options: Pick<CheckOptions, 'inventoryDatabaseUrl' | 'orderDatabaseUrl' | 'paymentDatabaseUrl'>;
  /** Empties every table, so each test starts from nothing. */
  reset(): Promise<void>;
  drop(): Promise<void>;
}

export async function createTestWorld(): Promise<TestWorld> {
  const [inv, ord, pay] = await Promise.all([createTestDatabase('INVENTORY'), createTestDatabase('ORDER'), createTestDatabase('PAYMENT')]);
  const clients = [inv, ord, pay].map((d) => new Client({ connectionString: d.url }));
  await Promise.all(clients.map((c) => c.connect()));
  const [inventory, order, payment] = clients;
  return {
    inventory,
    order,
    payment,
    options: { inventoryDatabaseUrl: inv.url, orderDatabaseUrl: ord.url, paymentDatabaseUrl: pay.url },
    reset: async () => {
      await inventory.query('TRUNCATE skus, stock_locks, stock_lock_requests, outbox_events, inbox_events RESTART IDENTITY CASCADE');
      await order.query('TRUNCATE orders, order_items, order_logistics, outbox_events, inbox_events CASCADE');
      await payment.query('TRUNCATE payments, refunds, payment_notifications, outbox_events, inbox_events CASCADE');
    },
    drop: async () => {
      await Promise.all(clients.map((c) => c.end()));
      await Promise.all([inv.drop(), ord.drop(), pay.drop()]);
    },
  };
}

let nextSn = 1000;
/** Order numbers are digit strings (the orders_order_sn_digits CHECK). */
export function newOrderSn(): string {
  return String(nextSn++);
}

export async function insertSku(db: Client, stock: number, lockedStock = 0): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO skus (title, price, stock, locked_stock) VALUES ('test sku', 100, $1, $2) RETURNING id`,
    [stock, lockedStock],
  );
  return rows[0].id;
}

/** Unexpired unless asked: a negative `expiresInSeconds` puts expires_at in the past. */
export async function insertLock(
  db: Client,
  orderSn: string,
  skuId: number,
  quantity: number,
  status: LockStatus,
  expiresInSeconds = 600,
): Promise<void> {
  // Every lock row belongs to a recorded lock request (stock_locks_order_sn_fkey).
  await db.query(
    `INSERT INTO stock_lock_requests (order_sn, outcome, items) VALUES ($1, 'LOCKED', '[]') ON CONFLICT (order_sn) DO NOTHING`,
    [orderSn],
  );
  await db.query(
    `INSERT INTO stock_locks (order_sn, sku_id, quantity, status, expires_at, updated_at)
     VALUES ($1, $2, $3, $4::stock_lock_status, now() + make_interval(secs => $5), now() - interval '1 hour')`,
    [orderSn, skuId, quantity, status, expiresInSeconds],
  );
}

export interface Line {
  skuId: number;
  quantity: number;
}

/** Unit price 100, so an order's total is 100 × its units. Rows look settled (updated an hour ago). */
export async function insertOrder(db: Client, orderSn: string, status: OrderStatus, lines: readonly Line[]): Promise<number> {
  const total = lines.reduce((sum, l) => sum + 100 * l.quantity, 0);
  await db.query(
    `INSERT INTO orders (order_sn, user_id, status, total_amount, pay_deadline, paid_at, cancel_reason, cancelled_at, created_at, updated_at)
     VALUES ($1, 1, $2::order_status, $3, now() - interval '50 minutes',
             CASE WHEN $2::order_status = 'PAID' THEN now() - interval '1 hour' END,
             CASE WHEN $2::order_status = 'CANCELLED' THEN 'TIMEOUT'::cancel_reason END,
             CASE WHEN $2::order_status = 'CANCELLED' THEN now() - interval '1 hour' END,
             now() - interval '1 hour', now() - interval '1 hour')`,
    [orderSn, status, total],
  );
  for (const l of lines) {
    await db.query(
      `INSERT INTO order_items (order_sn, sku_id, title, unit_price, quantity, subtotal) VALUES ($1, $2, 'test sku', 100, $3, $4)`,
      [orderSn, l.skuId, l.quantity, 100 * l.quantity],
    );
  }
  return total;
}

export async function insertPayment(db: Client, orderSn: string, status: PaymentStatus, amount: number): Promise<void> {
  const received = status === 'PAID' || status === 'REFUNDED';
  await db.query(
    `INSERT INTO payments (order_sn, user_id, amount, status, pay_deadline, trade_no, paid_at, closed_at, refunded_at, created_at, updated_at)
     VALUES ($1, 1, $2, $3::payment_status, now() - interval '50 minutes', $4,
             CASE WHEN $5::boolean THEN now() - interval '1 hour' END,
             CASE WHEN $3::payment_status = 'CLOSED' THEN now() - interval '1 hour' END,
             CASE WHEN $3::payment_status = 'REFUNDED' THEN now() - interval '1 hour' END,
             now() - interval '1 hour', now() - interval '1 hour')`,
    [orderSn, amount, status, received ? `T${orderSn}` : null, received],
  );
}

export async function insertRefund(db: Client, orderSn: string, amount: number): Promise<void> {
  await db.query('INSERT INTO refunds (out_request_no, order_sn, amount) VALUES ($1, $2, $3)', [`R${orderSn}`, orderSn, amount]);
}

/** The three consistent end states of SPEC §10, on one SKU each; returns their orderSns. */
export async function insertConsistentOrders(w: TestWorld): Promise<{ paid: string; cancelled: string; unpaid: string }> {
  const [paid, cancelled, unpaid] = [newOrderSn(), newOrderSn(), newOrderSn()];
  const skuPaid = await insertSku(w.inventory, 8);
  await insertLock(w.inventory, paid, skuPaid, 2, 'DEDUCTED', -60);
  await insertPayment(w.payment, paid, 'PAID', await insertOrder(w.order, paid, 'PAID', [{ skuId: skuPaid, quantity: 2 }]));

  const skuCancelled = await insertSku(w.inventory, 10);
  await insertLock(w.inventory, cancelled, skuCancelled, 3, 'RELEASED', -60);
  const refunded = await insertOrder(w.order, cancelled, 'CANCELLED', [{ skuId: skuCancelled, quantity: 3 }]);
  await insertPayment(w.payment, cancelled, 'REFUNDED', refunded);
  await insertRefund(w.payment, cancelled, refunded);

  const skuUnpaid = await insertSku(w.inventory, 10, 4);
  await insertLock(w.inventory, unpaid, skuUnpaid, 4, 'LOCKED');
  await insertPayment(w.payment, unpaid, 'PENDING', await insertOrder(w.order, unpaid, 'UNPAID', [{ skuId: skuUnpaid, quantity: 4 }]));
  return { paid, cancelled, unpaid };
}
