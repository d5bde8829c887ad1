import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkConsistency } from './checker';
import type { Report } from './report';
import type { SandboxTrade } from './sandbox.rules';
import { createTestWorld, insertOrder, insertPayment, insertRefund, newOrderSn, type TestWorld } from './test-fixtures';

/**
 * The sandbox side of the refund rules. The sandbox here is a stand-in that serves SPEC §7's
 * `GET /sandbox/trades/:outTradeNo` from a table, so that each answer (two refunds, a wrong
 * amount, a late payment) can be set up directly; the databases are real.
 */
describe('checkConsistency (Alipay sandbox)', () => {
  let w: TestWorld;
  let server: Server;
  let url: string;
  const trades = new Map<string, SandboxTrade>();
  let inFlight = 0;
  let maxInFlight = 0;

  beforeAll(async () => {
    w = await createTestWorld();
    server = createServer((req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // A little latency, so that the checker's concurrency bound is what limits the overlap.
      setTimeout(() => {
        inFlight--;
        const trade = trades.get(decodeURIComponent(/^\/sandbox\/trades\/([^/]+)$/.exec(req.url ?? '')?.[1] ?? ''));
        res.writeHead(trade ? 200 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify(trade ?? { error: 'trade does not exist' }));
      }, 5);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await w?.drop();
  });
  beforeEach(async () => {
    await w.reset();
    trades.clear();
    maxInFlight = 0;
  });

  const refunded = async (amount: number, refunds: Array<[string, string]> | null): Promise<string> => {
    const sn = newOrderSn();
    await insertOrder(w.order, sn, 'CANCELLED', []);
    await insertPayment(w.payment, sn, 'REFUNDED', amount);
    await insertRefund(w.payment, sn, amount);
    if (refunds) {
      const list = refunds.map(([outRequestNo, refundAmount]) => ({ outRequestNo, refundAmount, at: new Date().toISOString() }));
      trades.set(sn, { status: 'TRADE_CLOSED', paidAt: new Date(0).toISOString(), refunds: list });
    }
    return sn;
  };
  const closed = async (trade: SandboxTrade | null): Promise<string> => {
    const sn = newOrderSn();
    await insertOrder(w.order, sn, 'CANCELLED', []);
    await insertPayment(w.payment, sn, 'CLOSED', 8880);
    if (trade) {
      trades.set(sn, trade);
    }
    return sn;
  };
  const check = (): Promise<Report> => checkConsistency({ ...w.options, sandboxUrl: url });
  const byRule = (r: Report, rule: string): unknown[] => r.violations.filter((v) => v.rule === rule).map((v) => v.ids);

  it('is quiet when Alipay refunded exactly once in full, or never saw a closed trade, or closed it unpaid', async () => {
    await refunded(8880, [['R1', '88.80']]);
    await closed(null);
    await closed({ status: 'TRADE_CLOSED', paidAt: null, refunds: [] });
    const report = await check();
    expect(report.violations).toEqual([]);
    expect(report.checked.sandboxTrades).toBe(3);
  });

  it('refund.exactly-once: two refunds at Alipay, a refund of the wrong amount, a refunded trade Alipay does not know', async () => {
    const twice = await refunded(8880, [
      ['R1', '88.80'],
      ['R2', '88.80'],
    ]);
    const wrong = await refunded(8880, [['R1', '88.00']]);
    const unknown = await refunded(8880, null);
    // The sandbox is asked concurrently, so the discovery order is not fixed.
    const hits = byRule(await check(), 'refund.exactly-once');
    expect(hits).toHaveLength(3);
    expect(hits).toEqual(expect.arrayContaining([{ orderSn: twice }, { orderSn: wrong, outRequestNo: 'R1' }, { orderSn: unknown }]));
  });

  it('refund.missing: a CANCELLED order with a CLOSED payment that Alipay says was paid', async () => {
    const success = await closed({ status: 'TRADE_SUCCESS', paidAt: new Date(Date.now() - 3600_000).toISOString(), refunds: [] });
    const finished = await closed({ status: 'TRADE_FINISHED', paidAt: new Date(Date.now() - 3600_000).toISOString(), refunds: [] });
    const hits = byRule(await check(), 'refund.missing');
    expect(hits).toHaveLength(2);
    expect(hits).toEqual(expect.arrayContaining([{ orderSn: success }, { orderSn: finished }]));
    // A payment made just now is a late payment whose notification may still be on its way.
    trades.set(success, { ...trades.get(success)!, paidAt: new Date().toISOString() });
    const settling = await checkConsistency({ ...w.options, sandboxUrl: url, settleSeconds: 60 });
    expect(byRule(settling, 'refund.missing')).toEqual([{ orderSn: finished }]);
  });

  it('asks the sandbox with bounded concurrency', async () => {
    for (let i = 0; i < 40; i++) {
      await closed(null);
    }
    expect((await check()).ok).toBe(true);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(16);
  });

  it('sandbox.unreadable: a sandbox that does not answer is reported, not taken for "no refunds"', async () => {
    await refunded(8880, [['R1', '88.80']]);
    const report = await checkConsistency({ ...w.options, sandboxUrl: 'http://127.0.0.1:1' });
    expect(report.violations.map((v) => v.rule)).toEqual(['sandbox.unreadable']);
  });
});
