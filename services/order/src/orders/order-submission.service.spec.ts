import pino from 'pino';
import { ServiceClients } from '../clients/service-clients';
import { OrderEnv } from '../config/order-env';
import { OrderTokenStore } from '../order-tokens/order-token.store';
import { OrderRepository } from './order.repository';
import { OrderSubmissionService } from './order-submission.service';

/**
 * The release-after-failure decision, as pure logic (the databases are stand-ins here; the real
 * failure paths are in test/integration/order-failures.int-spec.ts): stock is released only on a
 * definite "no such order". A re-read that fails cannot tell a lost commit acknowledgement from a
 * failed write — releasing then would sell the units of an order that exists a second time.
 */
describe('OrderSubmissionService after a failed order write', () => {
  const dto = { orderToken: '123456789', addressId: 1, items: [{ skuId: 1, quantity: 1 }], expectedTotal: 100 };

  function service(findBySn: () => Promise<unknown>): { submit: () => Promise<unknown>; releases: string[] } {
    const releases: string[] = [];
    const clients = {
      skus: async () => new Map([[1, { id: 1, title: 't', price: 100, available: 5 }]]),
      address: async () => ({ id: 1, receiver: 'r', phone: 'p', region: 'x', detail: 'd', isDefault: true }),
      lockStock: async () => [{ skuId: 1, quantity: 1, status: 'LOCKED' }],
      releaseStock: async (sn: string) => {
        releases.push(sn);
      },
    } as unknown as ServiceClients;
    const insert = async () => Promise.reject(new Error('connection reset while committing'));
    const orders = { findBySn, insert } as unknown as OrderRepository;
    const tokens = { spend: async () => true } as unknown as OrderTokenStore;
    const config = { ORDER_PAY_TIMEOUT_SECONDS: 900, STOCK_LOCK_GRACE_SECONDS: 300 } as OrderEnv;
    const s = new OrderSubmissionService(orders, tokens, clients, config, pino({ level: 'silent' }));
    return { submit: () => s.submit(7, dto), releases };
  }

  it('releases the locks when the re-read says the order does not exist', async () => {
    const s = service(async () => null);
    await expect(s.submit()).rejects.toThrow('connection reset');
    expect(s.releases).toEqual(['123456789']);
  });

  it('keeps the locks when the re-read fails too (the sweeper decides later)', async () => {
    const s = service(async () => Promise.reject(new Error('database unreachable')));
    await expect(s.submit()).rejects.toThrow('connection reset');
    expect(s.releases).toEqual([]);
  });

  it('keeps the locks when the order turns out to exist (the commit had succeeded)', async () => {
    const s = service(async () => ({ orderSn: '123456789' }));
    await expect(s.submit()).rejects.toThrow('connection reset');
    expect(s.releases).toEqual([]);
  });
});

/**
 * The price and address reads go out together (one round trip of latency), and are judged in
 * SPEC §6's order: a changed price is the answer even when the address is wrong too, and nothing
 * is locked when either fails.
 */
describe('OrderSubmissionService reads prices and the address at once', () => {
  const dto = { orderToken: '123456789', addressId: 1, items: [{ skuId: 1, quantity: 1 }], expectedTotal: 100 };

  function service(price: number, address: () => Promise<unknown>) {
    const calls: string[] = [];
    let pricesAnswered = false;
    const clients = {
      skus: async () => {
        calls.push('skus asked');
        await new Promise((resolve) => setImmediate(resolve));
        pricesAnswered = true;
        return new Map([[1, { id: 1, title: 't', price, available: 5 }]]);
      },
      address: async () => {
        calls.push(pricesAnswered ? 'address asked after the prices' : 'address asked before the prices came');
        return address();
      },
      lockStock: async () => {
        calls.push('lock');
        return [];
      },
    } as unknown as ServiceClients;
    const tokens = { spend: async () => true } as unknown as OrderTokenStore;
    const config = { ORDER_PAY_TIMEOUT_SECONDS: 900, STOCK_LOCK_GRACE_SECONDS: 300 } as OrderEnv;
    const s = new OrderSubmissionService({} as OrderRepository, tokens, clients, config, pino({ level: 'silent' }));
    return { submit: () => s.submit(7, dto), calls };
  }
  const noSuchAddress = async () => Promise.reject(Object.assign(new Error('no such address'), { code: 'USER.ADDRESS_NOT_FOUND' }));

  it('asks for the address without waiting for the prices', async () => {
    const s = service(120, noSuchAddress);
    await expect(s.submit()).rejects.toMatchObject({ code: 'ORDER.PRICE_CHANGED' });
    expect(s.calls).toEqual(['skus asked', 'address asked before the prices came']);
  });

  it('a changed price wins over a wrong address; a wrong address alone is its own error; nothing is locked', async () => {
    await expect(service(120, noSuchAddress).submit()).rejects.toMatchObject({ code: 'ORDER.PRICE_CHANGED' });
    const wrongAddress = service(100, noSuchAddress);
    await expect(wrongAddress.submit()).rejects.toThrow('no such address');
    expect(wrongAddress.calls).not.toContain('lock');
  });
});
