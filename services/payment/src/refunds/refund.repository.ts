import { Injectable } from '@nestjs/common';
import { PaymentTx } from '../infrastructure/prisma/payment-prisma.service';

@Injectable()
export class RefundRepository {
  constructor(private readonly tx: PaymentTx) {}

  async insert(outRequestNo: string, orderSn: string, amount: number): Promise<void> {
    await this.tx.client.refund.create({ data: { outRequestNo, orderSn, amount } });
  }
}
