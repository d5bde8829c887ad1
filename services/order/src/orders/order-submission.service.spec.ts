import { DomainError, priceLines } from '@shop/shared';
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
      lockStock: async () => ({ items: [{ skuId: 1, quantity: 1, status: 'LOCKED' }], prices: [{ skuId: 1, title: 't', unitPrice: 100 }] }),
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
 * The re-price travels with the lock (inventory checks expectedTotal in the lock request), the
 * address is asked first, and every answer is still the one SPEC §6's order of steps gives: a
 * changed price wins over a wrong address, and nothing is locked when either fails.
 */
describe('OrderSubmissionService: address, then price-and-lock in one call', () => {
  const dto = { orderToken: '123456789', addressId: 1, items: [{ skuId: 1, quantity: 1 }], expectedTotal: 100 };

  function service(price: number, address: () => Promise<unknown>, expectedTotal = dto.expectedTotal) {
    const calls: string[] = [];
    const clients = {
      skus: async () => {
        calls.push('skus');
        return new Map([[1, { id: 1, title: 't', price, available: 5 }]]);
      },
      address: async () => {
        calls.push('address');
        return address();
      },
      // Inventory's side of it, priced as inventory prices (the shared priceLines): a total over
      // the cap is 400, another total 409 INVENTORY.PRICE_CHANGED; only then does it lock.
      lockStock: async (_sn: string, _at: Date, lines: Array<{ skuId: number; quantity: number }>, expected: number) => {
        calls.push(`lock at ${expected}`);
        const { totalAmount } = priceLines(lines, new Map([[1, { title: 't', price }]]));
        if (totalAmount !== expected) {
          throw new DomainError('INVENTORY.PRICE_CHANGED', 'changed', { expectedTotal: expected, currentTotal: totalAmount });
        }
        calls.push('locked');
        return { items: [{ skuId: 1, quantity: 1, status: 'LOCKED' }], prices: [{ skuId: 1, title: 't', unitPrice: price }] };
      },
      releaseStock: async () => undefined,
    } as unknown as ServiceClients;
    const tokens = { spend: async () => true } as unknown as OrderTokenStore;
    const orders = {
      insert: async (o: { orderSn: string; totalAmount: number; items: unknown[] }) => ({
        orderSn: o.orderSn,
        totalAmount: o.totalAmount,
        items: o.items,
      }),
    } as unknown as OrderRepository;
    const config = { ORDER_PAY_TIMEOUT_SECONDS: 900, STOCK_LOCK_GRACE_SECONDS: 300 } as OrderEnv;
    const s = new OrderSubmissionService(orders, tokens, clients, config, pino({ level: 'silent' }));
    return { submit: () => s.submit(7, { ...dto, expectedTotal }), calls };
  }
  const anAddress = async () => ({ id: 1, receiver: 'r', phone: 'p', region: 'x', detail: 'd', isDefault: true });
  const noSuchAddress = async () => Promise.reject(new DomainError('USER.ADDRESS_NOT_FOUND', 'no such address'));

  it('asks for the address, then locks at the total the buyer saw; no separate catalog read', async () => {
    const s = service(100, anAddress);
    await expect(s.submit()).resolves.toMatchObject({
      orderSn: '123456789',
      totalAmount: 100,
      items: [{ skuId: 1, unitPrice: 100, title: 't' }],
    });
    expect(s.calls).toEqual(['address', 'lock at 100', 'locked']);
  });

  it("inventory's INVENTORY.PRICE_CHANGED is the order's ORDER.PRICE_CHANGED with the current total", async () => {
    const s = service(120, anAddress);
    await expect(s.submit()).rejects.toMatchObject({ code: 'ORDER.PRICE_CHANGED', details: { expectedTotal: 100, currentTotal: 120 } });
  });

  it('a changed price wins over a wrong address; a wrong address alone is its own error; nothing is locked', async () => {
    const both = service(120, noSuchAddress);
    await expect(both.submit()).rejects.toMatchObject({ code: 'ORDER.PRICE_CHANGED' });
    expect(both.calls).toEqual(['address', 'skus']);
    const wrongAddress = service(100, noSuchAddress);
    await expect(wrongAddress.submit()).rejects.toMatchObject({ code: 'USER.ADDRESS_NOT_FOUND' });
    expect(wrongAddress.calls).toEqual(['address', 'skus']);
  });

  it('a total no order can have is refused before anything is locked', async () => {
    const tooLarge = service(2_147_483_648, anAddress, 2_147_483_648);
    await expect(tooLarge.submit()).rejects.toMatchObject({ code: 'VALIDATION.FAILED' });
    expect(tooLarge.calls).not.toContain('locked');
  });
});
