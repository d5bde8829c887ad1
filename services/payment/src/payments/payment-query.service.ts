import { Injectable } from '@nestjs/common';
import { PaymentNotFoundError } from './payment.errors';
import { PaymentRecord, PaymentRepository } from './payment.repository';

@Injectable()
export class PaymentQueryService {
  constructor(private readonly payments: PaymentRepository) {}

  /** Another user's payment is simply not found. */
  async getForUser(userId: number, orderSn: string): Promise<PaymentRecord> {
    const p = await this.payments.findBySn(orderSn);
    if (!p || p.userId !== userId) {
      throw new PaymentNotFoundError(orderSn);
    }
    return p;
  }
}
