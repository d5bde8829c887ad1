import { Inject, Injectable } from '@nestjs/common';
import { createEvent, DomainError, priceLines, TOPICS, toOutboxRow, UpstreamUnavailableError, ValidationFailedError } from '@shop/shared';
import { eventMeta, isUniqueViolation, LOGGER, PLATFORM_CONFIG } from '@shop/shared/nest';
import type { Logger } from 'pino';
import { AddressInfo, LockAnswer, ServiceClients } from '../clients/service-clients';
import { OrderEnv } from '../config/order-env';
import { OrderTokenStore } from '../order-tokens/order-token.store';
import { CreateOrderDto } from './dto/order.dto';
import { OrderRecord } from './order-response';
import { DuplicateSubmitError, PriceChangedError } from './order.errors';
import { OrderRepository } from './order.repository';

/**
 * Submitting an order, SPEC §6: spend the token → re-price → check the address → lock stock →
 * write order + items + logistics + OrderCreated in one statement. The re-price travels with the
 * lock (inventory checks the total in the lock request, before locking), so the calls are: token,
 * address, price-and-lock, insert — and every answer is the one the spec's order of steps gives.
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
    // 3. The address must be the caller's (404 USER.ADDRESS_NOT_FOUND otherwise) — asked before
    // the lock, so a wrong address never holds stock; a changed price still wins (see there).
    const address = await this.callersAddress(userId, dto);
    // 2 and 4. Prices re-read and stock locked, until a little after the pay deadline, in ONE
    // inventory request: nothing is locked when the prices changed.
    const payDeadline = new Date(Date.now() + this.config.ORDER_PAY_TIMEOUT_SECONDS * 1000);
    const lockExpiresAt = new Date(payDeadline.getTime() + this.config.STOCK_LOCK_GRACE_SECONDS * 1000);
    const { items, totalAmount } = await this.lockAtShownPrices(orderSn, lockExpiresAt, dto);
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

  /**
   * Step 3. SPEC §6 judges the prices (step 2) before the address, and the prices are now checked
   * by the lock (step 4), after it. So when the address is refused — or the user service does not
   * answer — the prices are read here, on this failure path only, and a changed price (or an
   * unknown SKU) is still the answer, exactly as when they were read first.
   */
  private async callersAddress(userId: number, dto: CreateOrderDto): Promise<AddressInfo> {
    try {
      return await this.clients.address(userId, dto.addressId);
    } catch (err) {
      await this.judgePrices(dto);
      throw err;
    }
  }

  /** Step 2 as a catalog read: throws what the prices alone answer; returns when they give `expectedTotal`. */
  private async judgePrices(dto: CreateOrderDto): Promise<void> {
    const { totalAmount } = priceLines(dto.items, await this.clients.skus(dto.items.map((i) => i.skuId)));
    if (totalAmount !== dto.expectedTotal) {
      throw new PriceChangedError(dto.expectedTotal, totalAmount);
    }
  }

  /**
   * Steps 2 and 4 in one inventory request: it prices the lines at the catalog's current prices
   * with the same `priceLines` (unknown SKUs 404, a total over the cap 400, both passed through),
   * refuses with INVENTORY.PRICE_CHANGED (nothing locked) when they do not give the total the buyer
   * was shown, and otherwise locks and answers those prices — the order's price snapshot.
   */
  private async lockAtShownPrices(orderSn: string, expiresAt: Date, dto: CreateOrderDto): Promise<ReturnType<typeof priceLines>> {
    const lines = dto.items.map(({ skuId, quantity }) => ({ skuId, quantity })).sort((a, b) => a.skuId - b.skuId);
    let answer: LockAnswer;
    try {
      answer = await this.clients.lockStock(orderSn, expiresAt, lines, dto.expectedTotal);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'INVENTORY.PRICE_CHANGED') {
        throw new PriceChangedError(dto.expectedTotal, Number(err.details?.currentTotal));
      }
      if (err instanceof UpstreamUnavailableError) {
        // The lock may have committed before the answer was lost: undo it (idempotent).
        await this.releaseAfterFailure(orderSn, err);
      }
      throw err;
    }
    // The lock call is idempotent per orderSn, so a replayed token gets the FIRST request's locks
    // back — possibly released or deducted long ago. An order may only be written on locks held
    // now, for exactly these lines; anything else would be an order without stock behind it.
    if (!holdsExactly(answer.items, lines)) {
      throw new DuplicateSubmitError();
    }
    const catalog = new Map((answer.prices ?? []).map((p) => [p.skuId, { title: p.title, price: p.unitPrice }]));
    if (lines.some((l) => !catalog.has(l.skuId))) {
      // Our inventory answers the prices it checked; without them there is no price snapshot.
      await this.releaseAfterFailure(orderSn, new Error('the lock answer carried no prices'));
      throw new UpstreamUnavailableError('inventory');
    }
    return priceLines(lines, catalog);
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

function holdsExactly(
  locks: Array<{ skuId: number; quantity: number; status: string }>,
  lines: Array<{ skuId: number; quantity: number }>,
): boolean {
  const held = new Map(locks.filter((l) => l.status === 'LOCKED').map((l) => [l.skuId, l.quantity]));
  return locks.length === lines.length && lines.every((l) => held.get(l.skuId) === l.quantity);
}
