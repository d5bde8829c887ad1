/**
 * The columns the checker reads, named as in the migrations. The checker selects exactly these,
 * so columns added later change nothing here.
 */
export type OrderStatus = 'UNPAID' | 'PAID' | 'CANCELLED';
export type LockStatus = 'LOCKED' | 'DEDUCTED' | 'RELEASED';
export type PaymentStatus = 'PENDING' | 'PAID' | 'CLOSED' | 'REFUNDED';

export interface OrderRow {
  order_sn: string;
  status: OrderStatus;
  total_amount: number;
  updated_at: Date;
}

export interface OrderItemRow {
  order_sn: string;
  sku_id: number;
  quantity: number;
}

export interface LockRow {
  order_sn: string;
  sku_id: number;
  quantity: number;
  status: LockStatus;
  expires_at: Date;
  updated_at: Date;
}

export interface PaymentRow {
  order_sn: string;
  status: PaymentStatus;
  amount: number;
  updated_at: Date;
}

export interface RefundRow {
  out_request_no: string;
  order_sn: string;
  amount: number;
}

/** A payment the sandbox should confirm: its refund (REFUNDED) or that no money arrived (CLOSED). */
export interface SandboxCandidate {
  orderSn: string;
  status: 'REFUNDED' | 'CLOSED';
  amount: number;
}
