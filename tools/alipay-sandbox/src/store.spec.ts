import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Delivery, StateStore, Trade } from './store';

function trade(outTradeNo: string): Trade {
  return {
    outTradeNo,
    tradeNo: null,
    status: 'WAIT_BUYER_PAY',
    totalCents: 100,
    subject: 's',
    productCode: 'FAST_INSTANT_TRADE_PAY',
    notifyUrl: null,
    returnUrl: null,
    createdAt: 1,
    expiresAt: 2,
    paidAt: null,
    closedAt: null,
    buyerId: 'b',
    buyerLogonId: 'l',
    refunds: [],
    notifications: [],
  };
}

function delivery(notifyId: string, outTradeNo: string): Delivery {
  return { notifyId, outTradeNo, url: 'http://x', params: { notify_id: notifyId }, attempts: 0, nextAt: 0 };
}

describe('StateStore (snapshot + journal)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'sandbox-store-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a store that was never stopped (SIGKILL) comes back with every saved change, in-place changes included', () => {
    const a = new StateStore(dir);
    a.load();
    const t = trade('1');
    a.trades.set('1', t);
    a.deliveries.set('n1', delivery('n1', '1'));
    a.save();
    t.status = 'TRADE_SUCCESS'; // changed in place, named to save
    a.save(t);
    a.deliveries.set('n2', delivery('n2', '1'));
    a.deliveries.delete('n1');
    a.save();
    const d2 = a.deliveries.get('n2')!;
    d2.attempts = 3;
    a.save(d2);
    // no stop, no compaction: what is on disk is the load-time snapshot and the journal

    const b = new StateStore(dir);
    b.load();
    expect(b.trades.get('1')?.status).toBe('TRADE_SUCCESS');
    expect([...b.deliveries.keys()]).toEqual(['n2']);
    expect(b.deliveries.get('n2')?.attempts).toBe(3);
  });

  it('a save writes a line per change, not the whole state; load compacts into one snapshot', () => {
    const a = new StateStore(dir);
    a.load();
    for (let i = 0; i < 200; i++) {
      a.trades.set(String(i), trade(String(i)));
      a.save();
    }
    const journal = path.join(dir, 'journal.jsonl');
    const size = statSync(journal).size;
    a.trades.get('7')!.status = 'TRADE_CLOSED';
    a.save(a.trades.get('7')!);
    // One more change appends about one trade's worth, however many trades there are.
    expect(statSync(journal).size - size).toBeLessThan(size / 50);

    const b = new StateStore(dir);
    b.load();
    expect(statSync(journal).size).toBe(0);
    const snapshot = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as { trades: Trade[] };
    expect(snapshot.trades).toHaveLength(200);
    expect(b.trades.get('7')?.status).toBe('TRADE_CLOSED');
  });

  it('skips a torn last line (a crash mid-append: that change was never answered), but not a torn line before it', () => {
    const a = new StateStore(dir);
    a.load();
    a.trades.set('1', trade('1'));
    a.save();
    const journal = path.join(dir, 'journal.jsonl');
    appendFileSync(journal, '{"trade":{"outTradeNo":"2"');
    const b = new StateStore(dir);
    b.load();
    expect([...b.trades.keys()]).toEqual(['1']);

    b.trades.set('3', trade('3'));
    b.save();
    appendFileSync(journal, '{"torn"\n{"trade":' + JSON.stringify(trade('4')) + '}\n');
    expect(() => new StateStore(dir).load()).toThrow(/journal.jsonl:2: cannot parse/);
  });
});
