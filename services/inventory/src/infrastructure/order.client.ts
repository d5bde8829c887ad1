import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@shop/shared';
import { InternalClient, PLATFORM_CONFIG } from '@shop/shared/nest';
import { InventoryEnv } from '../config/inventory-env';
import type { OrderLookup } from '../stock-locks/sweep-decision';

/** The order service's internal order read, reduced to what the stock-lock sweeper decides on. */
@Injectable()
export class OrderClient {
  private readonly http: InternalClient;

  constructor(@Inject(PLATFORM_CONFIG) config: InventoryEnv) {
    this.http = new InternalClient('order', config.ORDER_SERVICE_URL, config.INTERNAL_TOKEN);
  }

  /** Never throws: every failure becomes data, so the decision stays one pure function. */
  async lookup(orderSn: string): Promise<OrderLookup> {
    try {
      const order = await this.http.call<{ status?: unknown } | undefined>(`/internal/orders/${orderSn}`);
      return { kind: 'found', status: typeof order?.status === 'string' ? order.status : '' };
    } catch (err) {
      return { kind: 'failed', code: err instanceof DomainError ? err.code : 'UPSTREAM.UNAVAILABLE' };
    }
  }
}
