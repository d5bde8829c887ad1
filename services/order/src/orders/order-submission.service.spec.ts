import pino from 'pino';
import { ServiceClients } from '../clients/service-clients';
import { OrderEnv } from '../config/order-env';
import { OrderTx } from '../infrastructure/prisma/order-prisma.service';
import { OrderTokenStore } from '../order-tokens/order-token.store';
import { OutboxRepository } from '../outbox/outbox.repository';
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
    const tx = { run: async () => Promise.reject(new Error('connection reset while committing')) } as unknown as OrderTx;
    const orders = { findBySn } as unknown as OrderRepository;
    const tokens = { spend: async () => true } as unknown as OrderTokenStore;
    const config = { ORDER_PAY_TIMEOUT_SECONDS: 900, STOCK_LOCK_GRACE_SECONDS: 300 } as OrderEnv;
    const s = new OrderSubmissionService(tx, orders, {} as OutboxRepository, tokens, clients, config, pino({ level: 'silent' }));
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
