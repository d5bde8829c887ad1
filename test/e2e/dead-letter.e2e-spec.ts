import { Client } from 'pg';
import { createSku } from '../support/system';
import { cliEnv, ProcessSystem, runNode, startProcessSystem } from './support/processes';
import { cancelOrder, consistent, Databases, locksAre, placeOrder, waitFor } from './support/shop';

const DLQ_CLI = 'tools/consistency/dist/dlq-cli.js';

interface DlqEntry {
  id: string;
  consumer: string;
  type: string;
  eventId: string;
  error: string;
  resolved: boolean;
}

/**
 * SPEC §8 dead letters: an event that keeps failing (a real database refusal, not a mock) goes to
 * `<topic>.dlq` after CONSUMER_MAX_ATTEMPTS, the consumer moves on, and after the fix a replay of
 * the entry applies it exactly once.
 */
describe('dead letters: a poisoned OrderCancelled is parked, the consumer keeps going, the replay after the fix applies it once', () => {
  let sys: ProcessSystem;
  let dbs: Databases;
  let inventoryDb: Client;
  beforeAll(async () => {
    sys = await startProcessSystem({
      env: {
        CONSUMER_MAX_ATTEMPTS: '3',
        CONSUMER_RETRY_BASE_MS: '50',
        STOCK_LOCK_SWEEP_INTERVAL_MS: '3600000',
        PAYMENT_RECONCILE_INTERVAL_MS: '3600000',
      },
    });
    dbs = await Databases.connect(sys);
    inventoryDb = new Client({ connectionString: sys.databaseUrl.inventory });
    await inventoryDb.connect();
  }, 90000);
  afterEach(() => consistent(sys, 60000), 90000);
  afterAll(async () => {
    await inventoryDb?.end();
    await dbs?.close();
    await sys?.stop();
  }, 60000);

  const dlq = async (...args: string[]) => {
    const res = await runNode(DLQ_CLI, args, cliEnv(sys));
    if (res.code !== 0) {
      throw new Error(`dlq ${args.join(' ')} exited ${res.code}: ${res.stderr || res.stdout}`);
    }
    return res.stdout;
  };
  const list = async (): Promise<DlqEntry[]> => JSON.parse(await dlq('list', '--json')) as DlqEntry[];

  /** A real failure: the inventory database refuses every update of this order's lock rows. */
  const refuseLockUpdates = async (orderSn: string) => {
    await inventoryDb.query(`CREATE OR REPLACE FUNCTION e2e_refuse_lock_update() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'injected failure: inventory refuses to touch the locks of order %', OLD.order_sn; END $$ LANGUAGE plpgsql`);
    await inventoryDb.query(`CREATE TRIGGER e2e_refuse_lock_update BEFORE UPDATE ON stock_locks FOR EACH ROW
      WHEN (OLD.order_sn = '${orderSn}') EXECUTE FUNCTION e2e_refuse_lock_update()`);
  };
  const fix = async () => {
    await inventoryDb.query('DROP TRIGGER IF EXISTS e2e_refuse_lock_update ON stock_locks');
    await inventoryDb.query('DROP FUNCTION IF EXISTS e2e_refuse_lock_update()');
  };

  it('OrderCancelled of the poisoned order lands in the DLQ (unresolved, with the error); the next order is applied; replay → RELEASED once, resolved', async () => {
    const sku = await createSku(sys.url.inventory, { price: 800, stock: 10 });
    const poisoned = await placeOrder(sys, { sku, quantity: 2 });
    const healthy = await placeOrder(sys, { sku, quantity: 1 });
    expect(await dbs.sku(sku.id)).toEqual({ stock: 10, lockedStock: 3 });

    await refuseLockUpdates(poisoned.orderSn);
    let entry: DlqEntry;
    try {
      // The cancel itself succeeds: the order is CANCELLED; its immediate HTTP release fails (only logged).
      const first = await cancelOrder(sys.url.order, poisoned.buyer, poisoned.orderSn);
      expect([first.status, first.body?.status]).toEqual([200, 'CANCELLED']);
      const second = await cancelOrder(sys.url.order, healthy.buyer, healthy.orderSn);
      expect([second.status, second.body?.status]).toEqual([200, 'CANCELLED']);
      const poisonedEvent = await dbs.eventId('order', poisoned.orderSn, 'OrderCancelled');
      const healthyEvent = await dbs.eventId('order', healthy.orderSn, 'OrderCancelled');

      // The consumer went on: the healthy order's OrderCancelled is in its inbox and took effect.
      await waitFor(
        'the healthy OrderCancelled applied by inventory.stock',
        async () => (await dbs.inboxHas('inventory', 'inventory.stock', healthyEvent)) === 1,
        30000,
      );
      await locksAre(dbs, healthy.orderSn, 'RELEASED');
      await waitFor('StockReleased of the healthy order', async () =>
        (await dbs.outboxTypes('inventory', healthy.orderSn)).includes('StockReleased'),
      );

      const entries = await waitFor(
        'the poisoned OrderCancelled in the DLQ',
        async () => {
          const all = await list();
          return all.some((e) => e.eventId === poisonedEvent) ? all : null;
        },
        30000,
      );
      expect(entries).toEqual([
        expect.objectContaining({
          consumer: 'inventory.stock',
          type: 'OrderCancelled',
          eventId: poisonedEvent,
          error: expect.stringContaining('injected failure'),
          resolved: false,
        }),
      ]);
      entry = entries[0];
      expect(await dbs.inboxHas('inventory', 'inventory.stock', poisonedEvent)).toBe(0);
      expect(await dbs.lockStatuses(poisoned.orderSn)).toEqual(['LOCKED']);
      expect(await dbs.sku(sku.id)).toEqual({ stock: 10, lockedStock: 2 });
      expect(await dbs.outboxTypes('inventory', poisoned.orderSn)).toEqual([]);
    } finally {
      await fix();
    }

    await dlq('replay', entry.id);
    await locksAre(dbs, poisoned.orderSn, 'RELEASED', 30000);
    await waitFor('StockReleased of the replayed order', async () =>
      (await dbs.outboxTypes('inventory', poisoned.orderSn)).includes('StockReleased'),
    );
    expect(await dbs.outboxTypes('inventory', poisoned.orderSn)).toEqual(['StockReleased']);
    expect(await dbs.outboxTypes('inventory', healthy.orderSn)).toEqual(['StockReleased']);
    expect(await dbs.inboxHas('inventory', 'inventory.stock', entry.eventId)).toBe(1);
    expect(await dbs.sku(sku.id)).toEqual({ stock: 10, lockedStock: 0 });
    const after = await waitFor(
      'the DLQ entry shown resolved',
      async () => {
        const all = await list();
        return all.find((e) => e.id === entry.id)?.resolved ? all : null;
      },
      30000,
    );
    expect(after).toEqual([expect.objectContaining({ id: entry.id, eventId: entry.eventId, resolved: true })]);
  }, 90000);
});
