import { Inject, Injectable } from '@nestjs/common';
import { InternalClient, PLATFORM_CONFIG } from '@shop/shared/nest';
import { PaymentEnv } from '../config/payment-env';

export interface OrderView {
  orderSn: string;
  userId: number;
  status: 'UNPAID' | 'PAID' | 'CANCELLED';
  totalAmount: number;
  payDeadline: string;
}

/** The order service's internal read (404 ORDER.NOT_FOUND passes through as a DomainError). */
@Injectable()
export class OrderClient {
  private readonly http: InternalClient;

  constructor(@Inject(PLATFORM_CONFIG) config: PaymentEnv) {
    this.http = new InternalClient('order', config.ORDER_SERVICE_URL, config.INTERNAL_TOKEN);
  }

  get(orderSn: string): Promise<OrderView> {
    return this.http.call<OrderView>(`/internal/orders/${orderSn}`);
  }
}
