import { Inject, Injectable } from '@nestjs/common';
import { createEvent, TOPICS, toOutboxRow, UpstreamUnavailableError, ValidationFailedError } from '@shop/shared';
import { eventMeta, isUniqueViolation, LOGGER, PLATFORM_CONFIG } from '@shop/shared/nest';
import type { Logger } from 'pino';
import { ServiceClients } from '../clients/service-clients';
import { OrderEnv } from '../config/order-env';
import { OrderTokenStore } from '../order-tokens/order-token.store';
import { CreateOrderDto } from './dto/order.dto';
import { OrderRecord } from './order-response';
import { DuplicateSubmitError, PriceChangedError } from './order.errors';
import { OrderRepository } from './order.repository';
import { priceLines } from './pricing';

/**
 * Submitting an order, in the order SPEC §6 fixes: spend the token → re-price → check the
 * address → lock stock → write order + items + logistics + OrderCreated in one transaction.
 * Each step that can fail does so before anything later happens; a failure after the lock
 * releases it at once (and the inventory sweeper is the backstop if this process dies first).
 */
@Injectable()
export class OrderSubmissionService {
  constructor(
    private readonly orders: OrderRepository,
    private readonly tokens: OrderTokenStore,
    private readonly clients: ServiceClients,
    @Inject(PLATFORM_CONFIG) private readonly config: OrderEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async submit(userId: number, dto: CreateOrderDto): Promise<OrderRecord> {
    if (new Set(dto.items.map((i) => i.skuId)).size !== dto.items.length) {
      throw new ValidationFailedError('Each SKU may appear once in an order', { field: 'items' });
    }
    // 1. The anti-resubmit token: spent atomically, and it becomes the orderSn (primary key).
    if (!(await this.tokens.spend(userId, dto.orderToken))) {
      throw new DuplicateSubmitError();
    }
    const orderSn = dto.orderToken;
    // 2 and 3 read two other services and change nothing: both are asked at once (one round trip
    // of latency instead of two), and judged in the order above, so the answer is the same.
    const [catalog, owned] = await Promise.allSettled([
      this.clients.skus(dto.items.map((i) => i.skuId)),
      this.clients.address(userId, dto.addressId),
    ]);
    // 2. Prices as they are now; nothing is locked when they changed.
    const { items, totalAmount } = priceLines(dto.items, settled(catalog));
    if (totalAmount !== dto.expectedTotal) {
      throw new PriceChangedError(dto.expectedTotal, totalAmount);
    }
    // 3. The address must be the caller's (404 USER.ADDRESS_NOT_FOUND otherwise).
    const address = settled(owned);
    // 4. Stock, until a little after the pay deadline.
    const payDeadline = new Date(Date.now() + this.config.ORDER_PAY_TIMEOUT_SECONDS * 1000);
    const lockExpiresAt = new Date(payDeadline.getTime() + this.config.STOCK_LOCK_GRACE_SECONDS * 1000);
    await this.lockStock(orderSn, lockExpiresAt, items);
    // 5. The order itself, with its OrderCreated event, atomically.
    let stored: OrderRecord;
    try {
      const created = createEvent(
        'OrderCreated',
        orderSn,
        {
          orderSn,
          userId,
          totalAmount,
          payDeadline: payDeadline.toISOString(),
          items: items.map(({ skuId, quantity, unitPrice }) => ({ skuId, quantity, unitPrice })),
        },
        eventMeta(),
      );
      // One statement writes the order and its outbox row together (see OrderRepository.insert).
      stored = await this.orders.insert(
        { orderSn, userId, totalAmount, payDeadline, items, logistics: address },
        toOutboxRow(TOPICS.order, created),
      );
    } catch (err) {
      if (isUniqueViolation(err)) {
        // An order with this orderSn already exists (the token was replayed after Redis lost it).
        // The locks belong to THAT order — the idempotent lock call returned them — so they stay.
        throw new DuplicateSubmitError();
      }
      await this.releaseAfterFailure(orderSn, err);
      throw err;
    }
    return stored;
  }

  private async lockStock(orderSn: string, expiresAt: Date, items: Array<{ skuId: number; quantity: number }>): Promise<void> {
    let locks: Array<{ skuId: number; quantity: number; status: string }>;
    try {
      locks = await this.clients.lockStock(
        orderSn,
        expiresAt,
        items.map(({ skuId, quantity }) => ({ skuId, quantity })),
      );
    } catch (err) {
      if (err instanceof UpstreamUnavailableError) {
        // The lock may have committed before the answer was lost: undo it (idempotent).
        await this.releaseAfterFailure(orderSn, err);
      }
      throw err;
    }
    // The lock call is idempotent per orderSn, so a replayed token gets the FIRST request's locks
    // back — possibly released or deducted long ago. An order may only be written on locks held
    // now, for exactly these lines; anything else would be an order without stock behind it.
    if (!holdsExactly(locks, items)) {
      throw new DuplicateSubmitError();
    }
  }

  private async releaseAfterFailure(orderSn: string, cause: unknown): Promise<void> {
    // A failure reported after COMMIT (a dropped connection) may hide an order that exists: its
    // locks are its stock and must stay. Only a definite "no such order" releases; if even the
    // re-read fails we cannot tell, and the sweeper — which asks again later — decides.
    let existing: OrderRecord | null;
    try {
      existing = await this.orders.findBySn(orderSn);
    } catch (err) {
      this.logger.error({ orderSn, err, cause }, 'order write failed and could not be re-read; its locks are left to the sweeper');
      return;
    }
    if (existing) {
      return;
    }
    try {
      await this.clients.releaseStock(orderSn);
      this.logger.warn({ orderSn, err: cause }, 'order not written; its stock locks were released');
    } catch (err) {
      this.logger.error({ orderSn, err }, 'order not written and its locks could not be released now; the lock sweeper will');
    }
  }
}

/** The value of a settled promise, or its rejection thrown here. */
function settled<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') {
    throw result.reason;
  }
  return result.value;
}

function holdsExactly(
  locks: Array<{ skuId: number; quantity: number; status: string }>,
  lines: Array<{ skuId: number; quantity: number }>,
): boolean {
  const held = new Map(locks.filter((l) => l.status === 'LOCKED').map((l) => [l.skuId, l.quantity]));
  return locks.length === lines.length && lines.every((l) => held.get(l.skuId) === l.quantity);
}
