import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoadReport, RunConfig, runLoad, ScenarioName } from '../../tools/load/src';
import { cliEnv, ProcessSystem, ROOT, runNode, startProcessSystem } from './support/processes';
import { consistent } from './support/shop';
import { renderInChromium } from './support/browser';

/**
 * The load tool's scenarios in a small configuration, against the real processes (SPEC §12): CI
 * holds them to correctness only — no oversell, one order per token, every order settled, the
 * shelf matching the paid units, no 5xx, the consistency checker clean. The large configurations
 * are benchmarks, run by hand (`npm run load -- <scenario>`).
 */
describe('load tool scenarios (small, correctness only)', () => {
  let sys: ProcessSystem;
  beforeAll(async () => {
    sys = await startProcessSystem({ logLevel: 'warn' });
  }, 90000);
  afterAll(() => sys.stop(), 60000);
  afterEach(() => consistent(sys), 60000);

  const run = (
    scenario: ScenarioName,
    o: { users: number; stock: number; skus?: number; copies?: number; actions?: Partial<RunConfig['actions']> },
  ): Promise<LoadReport> =>
    runLoad({
      scenario,
      users: o.users,
      count: o.users,
      stock: o.stock,
      skus: o.skus ?? 1,
      copies: o.copies ?? 1,
      load: { kind: 'closed', concurrency: 16 },
      seed: 7,
      actions: { payShare: 0.5, lateShare: 0, timeoutShare: 0, notifyCopies: 0, ...o.actions },
      settleTimeoutMs: 60000,
      targets: { ...sys.url, sandbox: sys.sandboxUrl, internalToken: String(sys.env.INTERNAL_TOKEN) },
      check: {
        inventoryDatabaseUrl: sys.databaseUrl.inventory,
        orderDatabaseUrl: sys.databaseUrl.order,
        paymentDatabaseUrl: sys.databaseUrl.payment,
        sandboxUrl: sys.sandboxUrl,
      },
    });

  it('oversell: 40 buyers race for 10 units — exactly 10 orders, the rest INSUFFICIENT_STOCK, nothing oversold or unsold', async () => {
    const r = await run('oversell', { users: 40, stock: 10 });
    expect(r.verdict).toEqual({ ok: true, problems: [] });
    expect(r.orders).toEqual({ attempted: 40, placed: 10, duplicatesAccepted: 0 });
    expect(r.outcomes['POST /orders 409 INVENTORY.INSUFFICIENT_STOCK']).toBe(30);
    expect(r.oversoldUnits).toBe(0);
    expect(r.unsoldUnits).toBe(0);
    const [sku] = r.settlement.skus;
    expect(sku.stock).toBe(10 - sku.paidUnits);
    expect(r.settlement.paid + r.settlement.cancelled).toBe(10);
  }, 120000);

  it('duplicate-submit: every token submitted 4 times at once yields exactly one order', async () => {
    const r = await run('duplicate-submit', { users: 20, stock: 100, copies: 4 });
    expect(r.verdict.ok).toBe(true);
    expect(r.orders.placed).toBe(20);
    expect(r.orders.duplicatesAccepted).toBe(0);
    expect(r.outcomes['POST /orders 409 ORDER.DUPLICATE_SUBMIT']).toBe(60);
  }, 120000);

  it('multi-sku: overlapping random baskets over 4 SKUs of 3 units — no SKU oversold, the shelf matches the paid units', async () => {
    const r = await run('multi-sku', { users: 30, stock: 3, skus: 4 });
    expect(r.verdict).toEqual({ ok: true, problems: [] });
    for (const s of r.settlement.skus) {
      expect(s.granted).toBeLessThanOrEqual(3);
    }
  }, 120000);

  it('notify-storm: every notification delivered 8 extra times at once — each payment applied once', async () => {
    const r = await run('notify-storm', { users: 15, stock: 15, actions: { payShare: 1, notifyCopies: 8 } });
    expect(r.verdict).toEqual({ ok: true, problems: [] });
    expect(r.settlement.paid).toBe(15);
    expect(r.settlement.skus[0]).toMatchObject({ stock: 0, lockedStock: 0, paidUnits: 15 });
  }, 120000);

  it('mixed: baskets, duplicate submits, payments, cancels and late payments at once — late payments refunded, shelf exact', async () => {
    const r = await run('mixed', { users: 30, stock: 4, skus: 4, copies: 2, actions: { payShare: 0.4, lateShare: 0.3, notifyCopies: 2 } });
    expect(r.verdict).toEqual({ ok: true, problems: [] });
    expect(r.settlement.latePayments).toBeGreaterThan(0);
    expect(r.settlement.refunded).toBe(r.settlement.latePayments);
    expect(r.orders.duplicatesAccepted).toBe(0);
  }, 120000);

  it('flash-sale through the CLI: exit 0, the JSON report and the readable table', async () => {
    // LOAD_REPORT_DIR keeps the report, its JSON and the screenshot for a person to look at.
    const keep = process.env.LOAD_REPORT_DIR;
    const dir = keep ?? mkdtempSync(join(tmpdir(), 'load-'));
    try {
      const json = join(dir, 'report.json');
      const html = join(dir, 'report.html');
      const cli = join(ROOT, 'tools/load/dist/cli.js');
      const args = ['flash-sale', '--users', '30', '--concurrency', '16', '--json', json, '--html', html];
      const res = await runNode(cli, args, cliEnv(sys), 120000);
      expect(res.stdout).toContain('VERDICT: OK');
      expect(res.code).toBe(0);
      const report = JSON.parse(readFileSync(json, 'utf8')) as LoadReport;
      expect(report.orders.placed).toBe(30);
      expect(report.endpoints['POST /orders'].count).toBe(30);
      expect(report.endpoints['POST /orders'].p99Ms).toBeGreaterThan(0);
      // The HTML report renders in a real browser: verdict, three charts, tables; and a screenshot.
      const page = await renderInChromium(html, join(dir, 'report.png'));
      expect(page.verdict).toBe('OK');
      expect(page.charts).toBe(3);
      expect(page.tableRows).toBeGreaterThan(10);
      expect(page.png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(page.png.length).toBeGreaterThan(10000);
    } finally {
      if (!keep) {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }, 150000);
});
