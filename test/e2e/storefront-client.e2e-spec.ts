import { checkedFetch } from '@shop/shared/testing';
import { join } from 'node:path';
import { runStorefront } from '../../packages/client/examples/storefront';
import { cliEnv, ProcessSystem, ROOT, runNode, startProcessSystem } from './support/processes';
import { consistent, Databases, orderIs, shopClient } from './support/shop';

/**
 * The storefront example of packages/client (written only against the generated client) runs the
 * whole flow against real processes: register, login, address, cart, confirm, submit, pay in the
 * sandbox, PAID. Once in-process with every answer contract-checked, once as the script a
 * storefront developer runs.
 */
describe('storefront example on the typed client: register → … → PAID', () => {
  let sys: ProcessSystem;
  let dbs: Databases;
  let skuId: number;
  beforeAll(async () => {
    sys = await startProcessSystem();
    dbs = await Databases.connect(sys);
    const created = await shopClient(sys).inventory.POST('/admin/skus', { body: { title: 'Tea cup, celadon', price: 4440, stock: 10 } });
    skuId = created.data!.id;
  }, 90000);
  afterAll(async () => {
    await dbs?.close();
    await sys?.stop();
  }, 60000);

  it('in-process, contract-checked: the order ends PAID, paid once, stock deducted', async () => {
    const lines: string[] = [];
    const { orderSn, status } = await runStorefront({
      urls: sys.url,
      sandboxUrl: sys.sandboxUrl,
      skuId,
      quantity: 2,
      fetch: checkedFetch,
      log: (line) => lines.push(line),
    });
    expect(status).toBe('PAID');
    expect(lines.map((l) => l.split(' ')[0])).toEqual([
      'register',
      'login',
      'address',
      'sku',
      'cart',
      'confirm',
      'submit',
      'payment',
      'alipay',
      'order',
    ]);
    await orderIs(dbs, orderSn, 'PAID');
    expect(await dbs.paymentStatus(orderSn)).toBe('PAID');
    await consistent(sys);
  }, 60000);

  it('as a script (node packages/client/examples/dist/storefront.js <skuId>): exits 0 with a PAID order', async () => {
    const script = join(ROOT, 'packages', 'client', 'examples', 'dist', 'storefront.js');
    const run = await runNode(script, [String(skuId), '1'], { ...cliEnv(sys), SANDBOX_PUBLIC_URL: sys.sandboxUrl });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^order +\{"orderSn":"\d+","status":"PAID"/m);
    await consistent(sys);
  }, 60000);
});
