import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { CloseResult } from './payment-close.service';
import type { PaymentRecord } from './payment.repository';

const STATUSES: Array<PaymentRecord['status']> = ['PENDING', 'PAID', 'CLOSED', 'REFUNDED'];

export class PaymentResponseDto {
  @ApiProperty({ example: '7269048146335301632', pattern: '^[1-9][0-9]{0,18}$', description: 'the order number, a decimal string' })
  orderSn!: string;

  @ApiProperty({ enum: STATUSES, example: 'PENDING' })
  status!: PaymentRecord['status'];

  @ApiProperty({ type: 'integer', example: 8880, description: "the order's total, integer cents" })
  amount!: number;

  @ApiPropertyOptional({ example: '2026120122001400000000000001', description: "Alipay's trade number, once paid" })
  tradeNo?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-12-01T15:05:00.000Z', description: 'once paid (UTC)' })
  paidAt?: string;

  @ApiPropertyOptional({
    format: 'uri',
    example: 'http://localhost:3100/gateway.do?method=alipay.trade.page.pay&app_id=2021000000000001',
    description: "the Alipay cashier page to send the buyer's browser to (POST /payments only)",
  })
  payUrl?: string;
}

export class ClosePaymentResponseDto {
  @ApiProperty({
    enum: ['CLOSED', 'PAID'],
    example: 'CLOSED',
    description: 'CLOSED: no money can arrive any more; PAID: Alipay says the buyer paid (the payment is applied)',
  })
  result!: CloseResult;
}

export function toPaymentResponse(p: PaymentRecord, payUrl?: string): PaymentResponseDto {
  return {
    orderSn: p.orderSn,
    status: p.status,
    amount: p.amount,
    ...(p.tradeNo ? { tradeNo: p.tradeNo } : {}),
    ...(p.paidAt ? { paidAt: p.paidAt.toISOString() } : {}),
    ...(payUrl ? { payUrl } : {}),
  };
}
