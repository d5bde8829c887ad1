import type { CancelReason, OrderStatus } from '../generated/prisma/client';

export interface OrderRecord {
  orderSn: string;
  userId: number;
  status: OrderStatus;
  totalAmount: number;
  payDeadline: Date;
  paidAt: Date | null;
  cancelReason: CancelReason | null;
  createdAt: Date;
  items: Array<{ skuId: number; title: string; unitPrice: number; quantity: number; subtotal: number }>;
  logistics: { receiver: string; phone: string; region: string; detail: string } | null;
}

export interface OrderResponseDto {
  orderSn: string;
  status: OrderStatus;
  totalAmount: number;
  items: Array<{ skuId: number; title: string; unitPrice: number; quantity: number; subtotal: number }>;
  address: { receiver: string; phone: string; region: string; detail: string } | null;
  payDeadline: string;
  paidAt: string | null;
  cancelReason: CancelReason | null;
  createdAt: string;
}

export function toOrderResponse(o: OrderRecord): OrderResponseDto {
  return {
    orderSn: o.orderSn,
    status: o.status,
    totalAmount: o.totalAmount,
    items: o.items.map((i) => ({ skuId: i.skuId, title: i.title, unitPrice: i.unitPrice, quantity: i.quantity, subtotal: i.subtotal })),
    address: o.logistics
      ? { receiver: o.logistics.receiver, phone: o.logistics.phone, region: o.logistics.region, detail: o.logistics.detail }
      : null,
    payDeadline: o.payDeadline.toISOString(),
    paidAt: o.paidAt?.toISOString() ?? null,
    cancelReason: o.cancelReason,
    createdAt: o.createdAt.toISOString(),
  };
}

export function toInternalOrderResponse(o: OrderRecord): OrderResponseDto & { userId: number } {
  return { ...toOrderResponse(o), userId: o.userId };
}
