import { createSku } from '../support/system';
import { logsOf, metricValue, ProcessSystem, startProcessSystem } from './support/processes';
import { consistent, Databases, orderIs, payInSandbox, placeOrder, startPayment, waitFor } from './support/shop';

/**
 * SPEC §8 inbox: the inventory process dies for real (SIGKILL from its own failpoint) after its
 * deduct committed and before Kafka learnt the offset; Kafka redelivers OrderPaid to the restarted
 * process, and the inbox makes the second delivery a no-op.
 */
describe('consumer crash between COMMIT and the offset commit: the redelivery is a duplicate, stock deducted once', () => {
  let sys: ProcessSystem;
  let dbs: Databases;
  beforeAll(async () => {
    sys = await startProcessSystem({
      env: { STOCK_LOCK_SWEEP_INTERVAL_MS: '3600000', PAYMENT_RECONCILE_INTERVAL_MS: '3600000' },
      envFor: { inventory: { FAILPOINTS: 'consumer.after-commit:inventory.stock' } },
    });
    dbs = await Databases.connect(sys);
  }, 90000);
  afterEach(() => consistent(sys, 60000), 90000);
  afterAll(async () => {
    await dbs?.close();
    await sys?.stop();
  }, 60000);

  it('inventory is SIGKILLed right after deducting; restarted without the failpoint it sees OrderPaid again as a duplicate', async () => {
    const inventory = sys.instances.inventory[0];
    const sku = await createSku(sys.url.inventory, { price: 2000, stock: 10 });
    const { buyer, orderSn } = await placeOrder(sys, { sku, quantity: 3 });
    await startPayment(sys.url.payment, buyer, orderSn);
    if (!inventory.alive) {
      throw new Error(
        `inventory died before the payment (the failpoint must fire on an applied OrderPaid, not earlier):\n${logsOf(inventory)}`,
      );
    }
    const firstPid = inventory.pid;
    await payInSandbox(sys, orderSn);
    await orderIs(dbs, orderSn, 'PAID');

    await waitFor('the inventory process to die', async () => !inventory.alive, 30000);
    expect(await inventory.exited).toBeNull();
    expect(inventory.exitSignal).toBe('SIGKILL');
    // It died with the deduct committed: locks, stock and the StockDeducted row are all there.
    expect(await dbs.lockStatuses(orderSn)).toEqual(['DEDUCTED']);
    expect(await dbs.sku(sku.id)).toEqual({ stock: 7, lockedStock: 0 });
    expect(await dbs.outboxTypes('inventory', orderSn)).toEqual(['StockDeducted']);
    const orderPaid = await dbs.eventId('order', orderSn, 'OrderPaid');
    expect(await dbs.inboxHas('inventory', 'inventory.stock', orderPaid)).toBe(1);

    await inventory.restart({ FAILPOINTS: '' });
    expect(inventory.pid).not.toBe(firstPid);
    const count = async (outcome: string) =>
      metricValue(await inventory.metrics(), 'consumer_events_total', { consumer: 'inventory.stock', type: 'OrderPaid', outcome });
    // The old member's session must expire before its partitions are handed over: allow for it.
    await waitFor(
      'the redelivered OrderPaid counted as a duplicate by the new process',
      async () => (await count('duplicate')) >= 1,
      60000,
    );
    expect(await count('applied')).toBe(0);
    expect(await dbs.sku(sku.id)).toEqual({ stock: 7, lockedStock: 0 });
    expect(await dbs.lockStatuses(orderSn)).toEqual(['DEDUCTED']);
    expect(await dbs.outboxTypes('inventory', orderSn)).toEqual(['StockDeducted']);
    expect(await dbs.inboxHas('inventory', 'inventory.stock', orderPaid)).toBe(1);
    expect(await dbs.order(orderSn)).toEqual({ status: 'PAID', cancelReason: null });
  }, 90000);
});
