import { ApiProperty } from '@nestjs/swagger';
import type { AddressInfo } from '../clients/service-clients';
import { OrderItemResponseDto } from './order-response';

/** One of the buyer's addresses, to choose the delivery address from. */
export class ConfirmAddressResponseDto {
  @ApiProperty({ type: 'integer', example: 7, description: 'the addressId to submit' })
  id!: number;

  @ApiProperty({ example: 'Li Lei' })
  receiver!: string;

  @ApiProperty({ example: '+86 138 0000 0000' })
  phone!: string;

  @ApiProperty({ example: 'Zhejiang Hangzhou Xihu' })
  region!: string;

  @ApiProperty({ example: 'No. 1 Wensan Road' })
  detail!: string;

  @ApiProperty({ example: true })
  isDefault!: boolean;
}

/** The confirm page: current prices, the buyer's addresses and a one-shot order token. */
export class ConfirmResponseDto {
  @ApiProperty({
    example: '7269048146335301632',
    pattern: '^[1-9][0-9]{0,18}$',
    description: 'one-shot token (a decimal string) for POST /orders; it becomes the orderSn',
  })
  orderToken!: string;

  @ApiProperty({ type: [OrderItemResponseDto], description: 'sorted by skuId, at current prices' })
  items!: OrderItemResponseDto[];

  @ApiProperty({ type: 'integer', example: 8880, description: 'Σ subtotal, integer cents: submit it as expectedTotal' })
  totalAmount!: number;

  @ApiProperty({ type: [ConfirmAddressResponseDto] })
  addresses!: ConfirmAddressResponseDto[];
}

/** The documented fields only: the user service may add fields that this page does not promise. */
export function toConfirmAddress(a: AddressInfo): ConfirmAddressResponseDto {
  return { id: a.id, receiver: a.receiver, phone: a.phone, region: a.region, detail: a.detail, isDefault: a.isDefault };
}
