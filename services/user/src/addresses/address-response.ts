import { ApiProperty } from '@nestjs/swagger';

export class AddressResponseDto {
  @ApiProperty({ type: 'integer', example: 7 })
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

  @ApiProperty({ format: 'date-time', example: '2026-12-01T15:00:00.000Z' })
  createdAt!: string;
}

/** The order service's view (GET /internal/users/:userId/addresses/:addressId): whose address it is. */
export class InternalAddressResponseDto extends AddressResponseDto {
  @ApiProperty({ type: 'integer', example: 42 })
  userId!: number;
}

export interface AddressRecord {
  id: number;
  userId: number;
  receiver: string;
  phone: string;
  region: string;
  detail: string;
  isDefault: boolean;
  createdAt: Date;
}

export function toAddressResponse(a: AddressRecord): AddressResponseDto {
  return {
    id: a.id,
    receiver: a.receiver,
    phone: a.phone,
    region: a.region,
    detail: a.detail,
    isDefault: a.isDefault,
    createdAt: a.createdAt.toISOString(),
  };
}
