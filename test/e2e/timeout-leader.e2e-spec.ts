import { buyerWithAddress, createSku } from '../support/system';
import { Instance, metricSum, metricValue, ProcessSystem, startProcessSystem } from './support/processes';
import { Buyer, consistent, Databases, locksAre, placeOrder, startPayment, waitFor } from './support/shop';

const PAY_TIMEOUT_S = 3;
const LEASE_MS = 3000;
const CLOSE = { method: 'POST', route: '/internal/payments/:orderSn/close', status: '200' };

/** SPEC §6 timeout job: leader-elected across two order processes, lease handed over when the leader dies. */
describe('order timeout job: one leader among two order processes, fail-over by lease', () => {
  let sys: ProcessSystem;
  let dbs: Databases;
  beforeAll(async () => {
    sys = await startProcessSystem({
      instances: { order: 2 },
      env: {
        ORDER_PAY_TIMEOUT_SECONDS: String(PAY_TIMEOUT_S),
        ORDER_TIMEOUT_JOB_INTERVAL_MS: '200',
        ORDER_TIMEOUT_LEASE_MS: String(LEASE_MS),
        STOCK_LOCK_GRACE_SECONDS: '300',
        STOCK_LOCK_SWEEP_INTERVAL_MS: '3600000',
        PAYMENT_RECONCILE_INTERVAL_MS: '3600000',
      },
    });
    dbs = await Databases.connect(sys);
  }, 90000);
  afterEach(() => consistent(sys), 60000);
  afterAll(async () => {
    await dbs?.close();
    await sys?.stop();
  }, 60000);

  const closeCalls = () => metricSum(sys.instances.payment, 'http_request_duration_seconds_count', CLOSE);
  const leaderFlags = async (instances: Instance[]) =>
    Promise.all(instances.map(async (i) => metricValue(await i.metrics(), 'leader_lease_is_leader', { lease: 'order-timeout' })));
  const cancelledByTimeout = async (sn: string) => {
    const o = await dbs.order(sn);
    return o?.status === 'CANCELLED' && o.cancelReason === 'TIMEOUT';
  };

  it('cancels 10 overdue orders (TIMEOUT), releases their locks, closes each trade exactly once; exactly one leader', async () => {
    const sku = await createSku(sys.url.inventory, { price: 990, stock: 50 });
    const buyers: Buyer[] = await Promise.all(Array.from({ length: 10 }, () => buyerWithAddress(sys.url.user)));
    const orders = await Promise.all(
      buyers.map((buyer, i) => placeOrder(sys, { buyer, sku, quantity: 1 + (i % 3), orderUrl: sys.instances.order[i % 2].url })),
    );
    // Four of them have a payment (two with the cashier opened, i.e. a trade at Alipay); six have none.
    await Promise.all(orders.slice(0, 4).map((o, i) => startPayment(sys.url.payment, o.buyer, o.orderSn, i % 2 === 0)));
    const units = orders.reduce((n, _o, i) => n + 1 + (i % 3), 0);
    expect(await dbs.sku(sku.id)).toEqual({ stock: 50, lockedStock: units });

    await waitFor(
      'all 10 orders cancelled by the timeout job',
      async () => (await Promise.all(orders.map((o) => cancelledByTimeout(o.orderSn)))).every(Boolean),
      PAY_TIMEOUT_S * 1000 + 15000,
    );
    for (const o of orders) {
      await locksAre(dbs, o.orderSn, 'RELEASED');
    }
    expect(await dbs.sku(sku.id)).toEqual({ stock: 50, lockedStock: 0 });
    expect(await closeCalls()).toBe(10);
    for (const o of orders.slice(0, 4)) {
      expect({ orderSn: o.orderSn, payment: await dbs.paymentStatus(o.orderSn) }).toEqual({ orderSn: o.orderSn, payment: 'CLOSED' });
    }
    for (const o of orders) {
      expect({ orderSn: o.orderSn, types: await dbs.outboxTypes('order', o.orderSn) }).toEqual({
        orderSn: o.orderSn,
        types: ['OrderCreated', 'OrderCancelled'],
      });
    }
    const flags = await leaderFlags(sys.instances.order);
    expect([...flags].sort()).toEqual([0, 1]);
  }, 60000);

  it('kill -9 of the leader: the survivor takes the lease and cancels the next overdue order within lease time + margin', async () => {
    // The other services call order instance 0 (there is no load balancer here), and the payment
    // side asks it about an order when closing a trade. So the leader to kill must be instance 1:
    // if instance 0 leads, it is stopped gracefully (handing the lease back) and restarted first.
    const [first, second] = sys.instances.order;
    if ((await leaderFlags([first]))[0] === 1) {
      first.kill('SIGTERM');
      await first.exited;
      await waitFor('instance 1 to take the lease', async () => (await leaderFlags([second]))[0] === 1, LEASE_MS + 5000);
      await first.restart();
    }
    const closesBefore = await closeCalls();
    expect(await leaderFlags(sys.instances.order)).toEqual([0, 1]);
    const leader = second;
    const survivor = first;

    leader.kill('SIGKILL');
    await leader.exited;
    const killedAt = Date.now();
    const { orderSn, payDeadline } = await placeOrder(sys, { orderUrl: survivor.url, quantity: 2 });
    const overdueAt = Math.max(Date.parse(payDeadline), killedAt + LEASE_MS);

    await waitFor(`order ${orderSn} cancelled by the survivor`, () => cancelledByTimeout(orderSn), PAY_TIMEOUT_S * 1000 + LEASE_MS + 15000);
    const cancelledAt = Date.now();
    // Lease expiry (or the deadline, whichever is later) plus a margin for a few job rounds on a busy machine.
    expect(cancelledAt - overdueAt).toBeLessThanOrEqual(3000);
    await locksAre(dbs, orderSn, 'RELEASED');
    expect(await leaderFlags([survivor])).toEqual([1]);
    expect(await closeCalls()).toBe(closesBefore + 1);
  }, 60000);
});
