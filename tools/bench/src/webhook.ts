#!/usr/bin/env node
/**
 * Benchmarks 4 and 5 (issue 8) against a RUNNING development system (npm start, sandbox keys):
 *  4. the Alipay webhook: N signed TRADE_SUCCESS notifications for N pending payments (applied per
 *     second), then K copies of each at once (duplicates absorbed per second);
 *  5. the relay and consumers: from each payment's PAID commit to its order's PAID (PaymentSucceeded
 *     through Kafka) and to its stock DEDUCTED (OrderPaid through Kafka), read from the databases'
 *     update times: events per second and the lag p50/p99.
 * The notifications are signed with the SANDBOX's Alipay key, as the sandbox would: this only works
 * against a system configured with the development keys.
 */
import { signNotifyParams } from '@shop/alipay-sandbox/dist/signing';
import { loadEnv } from '@shop/consistency';
import { Buyer, prepareBuyers, Recorder, runAll, Storefront } from '@shop/load';
import { centsToYuan } from '@shop/shared';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { percentile } from './latency';
import { runBaselinesOnScratch } from './pgbench';

const KEY = path.join(__dirname, '..', '..', 'alipay-sandbox', 'keys', 'alipay-private.pem');
const PRICE = 1990;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '300' },
      copies: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '32' },
      json: { type: 'string' },
    },
  });
  const [n, copies, concurrency] = [Number(values.orders), Number(values.copies), Number(values.concurrency)];
  const env = await loadEnv();
  const shop = new Storefront({ ...env.serviceUrls, sandbox: env.sandboxUrl, internalToken: env.internalToken }, new Recorder());
  const buyers = await prepareBuyers(shop, concurrency, 9100);
  process.stderr.write(`placing ${n} orders with pending payments …\n`);
  const orders = await pendingOrders(shop, buyers, n, concurrency);
  const key = readFileSync(KEY, 'utf8');
  const notify = (sn: string, i: number): Promise<number> =>
    postNotification(env.serviceUrls.payment, signed(sn, i, key, process.env.ALIPAY_APP_ID ?? '2021000000000001'));
  const applied = await timed(orders.length, concurrency, (i) => notify(orders[i], 0));
  const duplicates = await timed(orders.length * copies, concurrency, (i) => notify(orders[i % orders.length], 0));
  const flow = await relayLag(env, orders);
  // The ceiling, same run: what an applied notification writes, as one transaction (pgbench).
  const b = (await runBaselinesOnScratch(env.inventoryDatabaseUrl, ['pgbench-notify-tx'], concurrency, 10))['pgbench-notify-tx']!;
  const baseline = { name: b.name, tps: Math.round(b.tps), clients: concurrency, ...(b.error ? { error: b.error } : {}) };
  const share = (perSecond: number) => (Number.isFinite(b.tps) ? Math.round((perSecond / b.tps) * 1000) / 1000 : Number.NaN);
  const result = {
    date: new Date().toISOString(),
    orders: orders.length,
    copies,
    concurrency,
    applied: { ...applied, share: share(applied.perSecond) },
    duplicates: { ...duplicates, share: share(duplicates.perSecond) },
    baseline,
    flow,
  };
  console.log(JSON.stringify(result, null, 2));
  if (values.json) {
    writeFileSync(values.json, JSON.stringify(result, null, 2));
  }
  return applied.failed === 0 && duplicates.failed === 0 ? 0 : 1;
}

async function pendingOrders(shop: Storefront, buyers: Buyer[], n: number, concurrency: number): Promise<string[]> {
  const sku = await shop.createSku(`bench webhook ${Date.now()}`, PRICE, n);
  const out: string[] = [];
  await runAll(n, { kind: 'closed', concurrency }, async (i) => {
    const b = buyers[i % buyers.length];
    const c = await shop.confirmBuyNow(b.token, sku.body.id, 1);
    const s = await shop.submit(b.token, {
      orderToken: c.body.orderToken,
      addressId: b.addressId,
      items: [{ skuId: sku.body.id, quantity: 1 }],
      expectedTotal: c.body.totalAmount,
    });
    const p = await shop.call('POST /payments', 'POST', `${shop.targets.payment}/payments`, {
      token: b.token,
      body: { orderSn: s.body.orderSn },
    });
    if (s.status === 201 && p.status === 201) {
      out.push(s.body.orderSn);
    }
  });
  return out;
}

/** A TRADE_SUCCESS notification as the sandbox sends it; the same notify_id for every copy of one order. */
function signed(orderSn: string, copy: number, key: string, appId: string): string {
  const params = {
    notify_id: `bench-${orderSn}-${copy}`,
    notify_type: 'trade_status_sync',
    notify_time: '2026-12-01 12:00:00',
    app_id: appId,
    charset: 'utf-8',
    version: '1.0',
    out_trade_no: orderSn,
    trade_no: `2026120122001${orderSn.slice(-12)}`,
    trade_status: 'TRADE_SUCCESS',
    total_amount: centsToYuan(PRICE),
    receipt_amount: centsToYuan(PRICE),
    buyer_pay_amount: centsToYuan(PRICE),
    gmt_payment: '2026-12-01 12:00:00',
    seller_id: '2088000000000001',
  };
  return new URLSearchParams(signNotifyParams(params, key)).toString();
}

async function postNotification(paymentUrl: string, body: string): Promise<number> {
  const res = await fetch(`${paymentUrl}/payments/alipay/notify`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return (await res.text()) === 'success' ? res.status : -res.status;
}

async function timed(count: number, concurrency: number, call: (i: number) => Promise<number>) {
  const latencies: number[] = [];
  let failed = 0;
  const start = performance.now();
  await runAll(count, { kind: 'closed', concurrency }, async (i) => {
    const t0 = performance.now();
    failed += (await call(i)) === 200 ? 0 : 1;
    latencies.push(performance.now() - t0);
  });
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    count,
    perSecond: Math.round(count / seconds),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    failed,
  };
}

/** Waits until every order is PAID and its lock DEDUCTED, then reads the commit times of the three steps. */
async function relayLag(env: Awaited<ReturnType<typeof loadEnv>>, orders: string[]) {
  const [pay, ord, inv] = [env.paymentDatabaseUrl, env.orderDatabaseUrl, env.inventoryDatabaseUrl].map(
    (u) => new Pool({ connectionString: u, max: 2 }),
  );
  try {
    const times = async (db: Pool, sql: string) =>
      new Map((await db.query<{ sn: string; t: Date }>(sql, [orders])).rows.map((r) => [r.sn, r.t.getTime()]));
    const deadline = Date.now() + 120000;
    let deducted = new Map<string, number>();
    while (deducted.size < orders.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250)); // poll interval, bounded by the deadline
      deducted = await times(
        inv,
        "SELECT order_sn AS sn, updated_at AS t FROM stock_locks WHERE order_sn = ANY($1) AND status = 'DEDUCTED'",
      );
    }
    const paid = await times(pay, "SELECT order_sn AS sn, updated_at AS t FROM payments WHERE order_sn = ANY($1) AND status = 'PAID'");
    const orderPaid = await times(ord, "SELECT order_sn AS sn, updated_at AS t FROM orders WHERE order_sn = ANY($1) AND status = 'PAID'");
    const lag = (to: Map<string, number>) => {
      const l = orders
        .filter((sn) => to.has(sn) && paid.has(sn))
        .map((sn) => to.get(sn)! - paid.get(sn)!)
        .sort((a, b) => a - b);
      return { n: l.length, p50Ms: percentile(l, 50), p99Ms: percentile(l, 99), maxMs: l[l.length - 1] };
    };
    const span = (Math.max(...deducted.values()) - Math.min(...paid.values())) / 1000;
    return {
      deducted: deducted.size,
      eventsPerSecond: Math.round((2 * deducted.size) / span),
      paymentToOrderPaid: lag(orderPaid),
      paymentToStockDeducted: lag(deducted),
    };
  } finally {
    await Promise.all([pay, ord, inv].map((p) => p.end()));
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench:webhook: ${(err as Error).message}`);
    process.exit(2);
  },
);
