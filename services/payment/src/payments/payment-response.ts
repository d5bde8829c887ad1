import type { PaymentRecord } from './payment.repository';

export interface PaymentResponseDto {
  orderSn: string;
  status: PaymentRecord['status'];
  amount: number;
  tradeNo?: string;
  paidAt?: string;
  payUrl?: string;
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
