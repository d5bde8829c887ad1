import { ApiProperty } from '@nestjs/swagger';

export interface SkuRecord {
  id: number;
  spuId: number | null;
  title: string;
  price: number;
  stock: number;
  lockedStock: number;
}

/** What storefronts see: no raw stock figures, only what can still be bought. */
export class PublicSkuResponseDto {
  @ApiProperty({ type: 'integer', example: 5 })
  id!: number;

  @ApiProperty({ type: 'integer', nullable: true, example: 2, description: 'the product (SPU) this SKU belongs to, or null' })
  spuId!: number | null;

  @ApiProperty({ example: 'Tea cup, celadon' })
  title!: string;

  @ApiProperty({ type: 'integer', example: 4440, description: 'integer cents (44.40)' })
  price!: number;

  @ApiProperty({ type: 'integer', example: 17, description: 'stock − lockedStock: units that can still be bought' })
  available!: number;
}

export class AdminSkuResponseDto extends PublicSkuResponseDto {
  @ApiProperty({ type: 'integer', example: 20 })
  stock!: number;

  @ApiProperty({ type: 'integer', example: 3, description: 'units locked by unpaid orders' })
  lockedStock!: number;
}

export function toPublicSku(s: SkuRecord): PublicSkuResponseDto {
  return { id: s.id, spuId: s.spuId, title: s.title, price: s.price, available: s.stock - s.lockedStock };
}

export function toAdminSku(s: SkuRecord): AdminSkuResponseDto {
  return { ...toPublicSku(s), stock: s.stock, lockedStock: s.lockedStock };
}
