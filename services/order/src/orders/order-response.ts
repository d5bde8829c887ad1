import { ApiProperty } from '@nestjs/swagger';
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

const ORDER_SN = {
  example: '7269048146335301632',
  pattern: '^[1-9][0-9]{0,18}$',
  description: 'the order number: a decimal string (it can exceed 2^53)',
};
const STATUSES: OrderStatus[] = ['UNPAID', 'PAID', 'CANCELLED'];
const CANCEL_REASONS: CancelReason[] = ['USER', 'TIMEOUT'];

/** One line of an order (or of the confirm page): the price snapshot taken at submit. */
export class OrderItemResponseDto {
  @ApiProperty({ type: 'integer', example: 5 })
  skuId!: number;

  @ApiProperty({ example: 'Tea cup, celadon' })
  title!: string;

  @ApiProperty({ type: 'integer', example: 4440, description: 'integer cents' })
  unitPrice!: number;

  @ApiProperty({ type: 'integer', example: 2, minimum: 1, maximum: 999 })
  quantity!: number;

  @ApiProperty({ type: 'integer', example: 8880, description: 'unitPrice × quantity, integer cents' })
  subtotal!: number;
}

/** The delivery address as it was when the order was placed. */
export class OrderAddressResponseDto {
  @ApiProperty({ example: 'Li Lei' })
  receiver!: string;

  @ApiProperty({ example: '+86 138 0000 0000' })
  phone!: string;

  @ApiProperty({ example: 'Zhejiang Hangzhou Xihu' })
  region!: string;

  @ApiProperty({ example: 'No. 1 Wensan Road' })
  detail!: string;
}

export class OrderResponseDto {
  @ApiProperty(ORDER_SN)
  orderSn!: string;

  @ApiProperty({ enum: STATUSES, example: 'UNPAID' })
  status!: OrderStatus;

  @ApiProperty({ type: 'integer', example: 8880, description: 'integer cents' })
  totalAmount!: number;

  @ApiProperty({ type: [OrderItemResponseDto] })
  items!: OrderItemResponseDto[];

  @ApiProperty({ type: OrderAddressResponseDto, nullable: true })
  address!: OrderAddressResponseDto | null;

  @ApiProperty({ format: 'date-time', example: '2026-12-01T15:15:00.000Z', description: 'an UNPAID order is cancelled after this (UTC)' })
  payDeadline!: string;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: null })
  paidAt!: string | null;

  @ApiProperty({ enum: CANCEL_REASONS, nullable: true, example: null })
  cancelReason!: CancelReason | null;

  @ApiProperty({ format: 'date-time', example: '2026-12-01T15:00:00.000Z' })
  createdAt!: string;
}

/** The order service's own view for other services: whose order it is. */
export class InternalOrderResponseDto extends OrderResponseDto {
  @ApiProperty({ type: 'integer', example: 42 })
  userId!: number;
}

/** POST /orders: the new order, UNPAID until paid. */
export class OrderCreatedResponseDto {
  @ApiProperty(ORDER_SN)
  orderSn!: string;

  @ApiProperty({ enum: ['UNPAID'], example: 'UNPAID', description: 'a new order is always UNPAID' })
  status!: OrderStatus;

  @ApiProperty({ type: 'integer', example: 8880, description: 'integer cents' })
  totalAmount!: number;

  @ApiProperty({ format: 'date-time', example: '2026-12-01T15:15:00.000Z' })
  payDeadline!: string;
}

export class OrderPageResponseDto {
  @ApiProperty({ type: [OrderResponseDto], description: "the caller's orders, newest first" })
  items!: OrderResponseDto[];

  @ApiProperty({ type: 'integer', example: 1 })
  page!: number;

  @ApiProperty({ type: 'integer', example: 20 })
  pageSize!: number;

  @ApiProperty({ type: 'integer', example: 1, description: "the caller's orders in all" })
  total!: number;
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

export function toInternalOrderResponse(o: OrderRecord): InternalOrderResponseDto {
  return { ...toOrderResponse(o), userId: o.userId };
}
