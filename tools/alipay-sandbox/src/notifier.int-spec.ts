/** Async notifications over real HTTP: signature accepted by alipay-sdk, retry schedule, fault
 * injection, and persistence of pending deliveries across a restart. */
import { createVerify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AlipaySdk } from 'alipay-sdk';
import { RETRY_DELAYS_MS } from './notifier';
import {
  getTrade,
  merchantSdk,
  openPayUrl,
  pay,
  readKey,
  setFaults,
  startFakeMerchant,
  startSandbox,
  uniqueOrderNo,
  waitFor,
  type RunningSandbox,
} from './test-helpers';

type Merchant = Awaited<ReturnType<typeof startFakeMerchant>>;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) {
    await cleanups.pop()!();
  }
});

async function setup(options: { timeScale: number; reply?: (n: number, params: Record<string, string>) => string; dataDir?: string }) {
  const merchant = await startFakeMerchant(options.reply);
  cleanups.push(() => merchant.close());
  const sb = await startSandbox({ timeScale: options.timeScale, dataDir: options.dataDir });
  cleanups.push(() => sb.stop());
  return { merchant, sb, sdk: merchantSdk(sb.url) };
}

async function openAndPay(sb: RunningSandbox, sdk: AlipaySdk, merchant: Merchant, totalAmount = '88.80'): Promise<string> {
  const no = uniqueOrderNo('N');
  const opened = await openPayUrl(sdk, { outTradeNo: no, totalAmount }, { notifyUrl: merchant.url });
  expect(opened.status).toBe(200);
  expect((await pay(sb.url, no)).status).toBe(200);
  return no;
}

const forTrade = (m: Merchant, no: string) => m.received.filter((r) => r.params.out_trade_no === no);

it('delivers a TRADE_SUCCESS notification that alipay-sdk checkNotifySign/V2 and node:crypto accept', async () => {
  const { merchant, sb, sdk } = await setup({ timeScale: 0.0001 });
  const no = await openAndPay(sb, sdk, merchant);
  const [n] = await waitFor(() => (forTrade(merchant, no).length ? forTrade(merchant, no) : null), 'notification');
  const p = n.params;
  expect(n.contentType).toMatch(/^application\/x-www-form-urlencoded/);
  expect(p).toMatchObject({
    notify_type: 'trade_status_sync',
    trade_status: 'TRADE_SUCCESS',
    out_trade_no: no,
    total_amount: '88.80',
    receipt_amount: '88.80',
    buyer_pay_amount: '88.80',
    app_id: '2021000000000001',
    seller_id: '2088000000000001',
    charset: 'utf-8',
    version: '1.0',
    sign_type: 'RSA2',
  });
  for (const k of ['notify_id', 'notify_time', 'trade_no', 'gmt_payment', 'sign']) {
    expect(p[k]).toBeTruthy();
  }
  expect(sdk.checkNotifySign(p)).toBe(true);
  expect(sdk.checkNotifySignV2(p)).toBe(true);
  const content = Object.keys(p)
    .filter((k) => k !== 'sign' && k !== 'sign_type')
    .sort()
    .map((k) => `${k}=${p[k]}`)
    .join('&');
  expect(createVerify('RSA-SHA256').update(content, 'utf8').verify(readKey('alipay-public.pem'), p.sign, 'base64')).toBe(true);

  const trade = await waitFor(async () => {
    const t = await getTrade(sb.url, no);
    return t.pendingDeliveries.length === 0 ? t : null;
  }, 'delivery acknowledged');
  expect(trade.notifications).toEqual([expect.objectContaining({ attempt: 1, httpStatus: 200, body: 'success', dropped: false })]);
});

it('retries replies other than "success" on the scaled schedule, 8 attempts in all, then gives up', async () => {
  const scale = 0.00002; // 4m → 4.8 ms ... 15h → 1080 ms
  const { merchant, sb, sdk } = await setup({ timeScale: scale, reply: () => 'SUCCESS ' });
  const no = await openAndPay(sb, sdk, merchant);
  const trade = await waitFor(
    async () => {
      const t = await getTrade(sb.url, no);
      return t.notifications.length === 8 && t.pendingDeliveries.length === 0 ? t : null;
    },
    '8 failed attempts',
    20_000,
  );
  expect(trade.notifications.map((n) => n.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect(trade.notifications.every((n) => n.body === 'SUCCESS ' && !n.dropped)).toBe(true);
  const times = forTrade(merchant, no).map((r) => r.at);
  expect(times).toHaveLength(8);
  for (let i = 1; i < 8; i++) {
    const gap = times[i] - times[i - 1];
    const expected = RETRY_DELAYS_MS[i] * scale;
    expect(gap).toBeGreaterThanOrEqual(expected - 2); // ms clock granularity
    expect(gap).toBeLessThan(expected + 1000);
  }
  expect(new Set(forTrade(merchant, no).map((r) => r.params.notify_id)).size).toBe(1); // same notification re-sent
});

it('stops retrying once the merchant answers "success"', async () => {
  const { merchant, sb, sdk } = await setup({ timeScale: 0.0001, reply: (n) => (n < 2 ? 'fail' : 'success') });
  const no = await openAndPay(sb, sdk, merchant);
  const trade = await waitFor(async () => {
    const t = await getTrade(sb.url, no);
    return t.pendingDeliveries.length === 0 && t.notifications.length > 0 ? t : null;
  }, 'acknowledged on 3rd attempt');
  expect(trade.notifications.map((n) => [n.attempt, n.body])).toEqual([
    [1, 'fail'],
    [2, 'fail'],
    [3, 'success'],
  ]);
});

it('dropNext drops deliveries (recorded as failed attempts), then retries follow the schedule', async () => {
  const scale = 0.0001;
  const { merchant, sb, sdk } = await setup({ timeScale: scale });
  await setFaults(sb.url, { dropNext: 2 });
  const no = await openAndPay(sb, sdk, merchant);
  const trade = await waitFor(async () => {
    const t = await getTrade(sb.url, no);
    return t.pendingDeliveries.length === 0 && t.notifications.length === 3 ? t : null;
  }, 'delivered after 2 drops');
  expect(trade.notifications.map((n) => [n.attempt, n.dropped, n.httpStatus])).toEqual([
    [1, true, null],
    [2, true, null],
    [3, false, 200],
  ]);
  expect(forTrade(merchant, no)).toHaveLength(1);
  const at = trade.notifications.map((n) => Date.parse(n.at));
  expect(at[2] - at[1]).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[2] * scale - 2);
});

it('duplicate sends extra concurrent copies, each recorded as an attempt', async () => {
  const { merchant, sb, sdk } = await setup({ timeScale: 0.0001 });
  await setFaults(sb.url, { duplicate: 2 });
  const no = await openAndPay(sb, sdk, merchant);
  await waitFor(() => forTrade(merchant, no).length === 3, '3 copies');
  const copies = forTrade(merchant, no);
  expect(new Set(copies.map((c) => c.params.notify_id)).size).toBe(1);
  expect(copies.every((c) => sdk.checkNotifySignV2(c.params))).toBe(true);
  const trade = await waitFor(async () => {
    const t = await getTrade(sb.url, no);
    return t.notifications.length === 3 && t.pendingDeliveries.length === 0 ? t : null;
  }, '3 recorded attempts');
  expect(trade.notifications.map((n) => [n.attempt, n.duplicate])).toEqual([
    [1, false],
    [1, true],
    [1, true],
  ]);
});

it('delayMs holds each delivery back', async () => {
  const { merchant, sb, sdk } = await setup({ timeScale: 0.0001 });
  await setFaults(sb.url, { delayMs: 300 });
  const before = Date.now();
  const no = await openAndPay(sb, sdk, merchant);
  const [first] = await waitFor(() => (forTrade(merchant, no).length ? forTrade(merchant, no) : null), 'delayed delivery');
  expect(first.at - before).toBeGreaterThanOrEqual(300);
  const cleared = await fetch(`${sb.url}/sandbox/faults`, { method: 'DELETE' });
  expect(await cleared.json()).toEqual({ dropNext: 0, duplicate: 0, delayMs: 0, reorder: false, reorderWindowMs: 1000 });
});

it('reorder holds deliveries and releases them newest-first', async () => {
  const { merchant, sb, sdk } = await setup({ timeScale: 0.0001 });
  await setFaults(sb.url, { reorder: true, reorderWindowMs: 60_000 });
  const no = await openAndPay(sb, sdk, merchant, '50.00');
  expect((await sdk.exec('alipay.trade.refund', { bizContent: { outTradeNo: no, refundAmount: '50.00', outRequestNo: 'R1' } })).code).toBe(
    '10000',
  );
  await waitFor(async () => (await getTrade(sb.url, no)).pendingDeliveries.length === 2, 'two pending');
  expect(forTrade(merchant, no)).toHaveLength(0); // held
  await fetch(`${sb.url}/sandbox/faults`, { method: 'DELETE' });
  await waitFor(() => forTrade(merchant, no).length === 2, 'released');
  // The refund's TRADE_CLOSED arrives before the payment's TRADE_SUCCESS.
  expect(forTrade(merchant, no).map((r) => r.params.trade_status)).toEqual(['TRADE_CLOSED', 'TRADE_SUCCESS']);
  expect(forTrade(merchant, no)[0].params).toMatchObject({ out_biz_no: 'R1', refund_fee: '50.00' });

  // Without an explicit release, the window does it.
  await setFaults(sb.url, { reorder: true, reorderWindowMs: 50 });
  const no2 = await openAndPay(sb, sdk, merchant, '1.00');
  await waitFor(() => forTrade(merchant, no2).length === 1, 'released by the window');
});

it('notifies TRADE_CLOSED when the merchant closes an unpaid trade', async () => {
  const { merchant, sdk } = await setup({ timeScale: 0.0001 });
  const no = uniqueOrderNo('C');
  await openPayUrl(sdk, { outTradeNo: no, totalAmount: '5.00' }, { notifyUrl: merchant.url });
  expect((await sdk.exec('alipay.trade.close', { bizContent: { outTradeNo: no } })).code).toBe('10000');
  const [n] = await waitFor(() => (forTrade(merchant, no).length ? forTrade(merchant, no) : null), 'close notification');
  expect(n.params).toMatchObject({ trade_status: 'TRADE_CLOSED', out_trade_no: no });
  expect(n.params.gmt_close).toBeTruthy();
  expect(sdk.checkNotifySignV2(n.params)).toBe(true);
});

it('pending deliveries survive a restart', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'alipay-sandbox-restart-'));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  let healthy = false;
  const merchant = await startFakeMerchant(() => (healthy ? 'success' : 'down'));
  cleanups.push(() => merchant.close());

  // 4 min × 0.001 = 240 ms until the 2nd attempt: enough to stop the sandbox in between.
  const first = await startSandbox({ timeScale: 0.001, dataDir });
  cleanups.push(() => first.stop()); // no-op once stopped below
  const sdk = merchantSdk(first.url);
  const no = await openAndPay(first, sdk, merchant);
  await waitFor(async () => (await getTrade(first.url, no)).notifications.length === 1, 'first failed attempt');
  await first.stop();
  const countAtStop = forTrade(merchant, no).length;
  const persisted = JSON.parse(readFileSync(path.join(dataDir, 'state.json'), 'utf8')) as {
    deliveries: Array<{ outTradeNo: string; attempts: number }>;
  };
  expect(persisted.deliveries).toEqual([expect.objectContaining({ outTradeNo: no, attempts: countAtStop })]);

  healthy = true;
  const second = await startSandbox({ timeScale: 0.001, dataDir });
  cleanups.push(() => second.stop());
  const trade = await waitFor(async () => {
    const t = await getTrade(second.url, no);
    return t.pendingDeliveries.length === 0 ? t : null;
  }, 'delivered after restart');
  expect(trade.status).toBe('TRADE_SUCCESS');
  expect(trade.notifications.at(-1)).toMatchObject({ body: 'success', attempt: countAtStop + 1 });
  expect(new Set(forTrade(merchant, no).map((r) => r.params.notify_id)).size).toBe(1);
});
