import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@shop/shared';
import { InternalClient, PLATFORM_CONFIG } from '@shop/shared/nest';
import { OrderEnv } from '../config/order-env';

export interface SkuInfo {
  id: number;
  title: string;
  price: number;
  available: number;
}

export interface AddressInfo {
  id: number;
  receiver: string;
  phone: string;
  region: string;
  detail: string;
  isDefault: boolean;
}

export interface LockLine {
  skuId: number;
  quantity: number;
}

export interface LockAnswer {
  items: Array<LockLine & { status: string }>;
  /** Present when the request carried expectedTotal (ours always does). */
  prices?: Array<{ skuId: number; title: string; unitPrice: number }>;
}

/** The other services, as the order service sees them (HTTP under /internal with the shared secret). */
@Injectable()
export class ServiceClients {
  private readonly inventory: InternalClient;
  private readonly user: InternalClient;
  private readonly cart: InternalClient;
  private readonly payment: InternalClient;

  constructor(@Inject(PLATFORM_CONFIG) c: OrderEnv) {
    this.inventory = new InternalClient('inventory', c.INVENTORY_SERVICE_URL, c.INTERNAL_TOKEN);
    this.user = new InternalClient('user', c.USER_SERVICE_URL, c.INTERNAL_TOKEN);
    this.cart = new InternalClient('cart', c.CART_SERVICE_URL, c.INTERNAL_TOKEN);
    this.payment = new InternalClient('payment', c.PAYMENT_SERVICE_URL, c.INTERNAL_TOKEN);
  }

  /** Current titles and prices; unknown ids are absent from the result. */
  async skus(ids: number[]): Promise<Map<number, SkuInfo>> {
    const list = await this.inventory.call<SkuInfo[]>(`/skus?ids=${ids.join(',')}`, { internal: false });
    return new Map(list.map((s) => [s.id, s]));
  }

  /**
   * Locks the lines if the catalog's current prices still give `expectedTotal` (inventory checks it
   * in the same request: 409 INVENTORY.PRICE_CHANGED otherwise, nothing locked). Answers the locks
   * as inventory holds them now (a replay of an earlier request shows their current status) and
   * the prices the total was checked against.
   */
  async lockStock(orderSn: string, expiresAt: Date, items: LockLine[], expectedTotal: number): Promise<LockAnswer> {
    return this.inventory.call<LockAnswer>('/internal/stock-locks', {
      method: 'POST',
      body: { orderSn, expiresAt: expiresAt.toISOString(), items, expectedTotal },
      timeoutMs: 10000,
    });
  }

  /** Idempotent; "no locks for this order" is fine (the lock may never have happened). */
  async releaseStock(orderSn: string): Promise<void> {
    try {
      await this.inventory.call(`/internal/stock-locks/${orderSn}/release`, { method: 'POST' });
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'INVENTORY.LOCK_NOT_FOUND')) {
        throw err;
      }
    }
  }

  addresses(userId: number): Promise<AddressInfo[]> {
    return this.user.call<AddressInfo[]>(`/internal/users/${userId}/addresses`);
  }

  /** Throws USER.ADDRESS_NOT_FOUND when the address is not this user's. */
  address(userId: number, addressId: number): Promise<AddressInfo> {
    return this.user.call<AddressInfo>(`/internal/users/${userId}/addresses/${addressId}`);
  }

  async checkedCartItems(userId: number): Promise<LockLine[]> {
    return (await this.cart.call<{ items: LockLine[] }>(`/internal/carts/${userId}/checked-items`)).items;
  }

  /** Closes the order's trade at the payment side first: PAID means the money arrived. */
  async closeTrade(orderSn: string): Promise<'CLOSED' | 'PAID'> {
    return (
      await this.payment.call<{ result: 'CLOSED' | 'PAID' }>(`/internal/payments/${orderSn}/close`, { method: 'POST', timeoutMs: 15000 })
    ).result;
  }
}
