import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIdList, MAX_INT_ID, OptionalNonNull, TextLength } from '@shop/shared/nest';
import { IsInt, IsOptional, IsString, Max, Min, NotEquals } from 'class-validator';

/** Mirrors the CHECK constraint on skus.stock; keeps stock + delta inside PostgreSQL's INTEGER. */
export const MAX_STOCK = 1_000_000_000;
/** 10 million yuan in cents; prices are INTEGER cents. */
export const MAX_PRICE = 1_000_000_000;
/**
 * One cent: Alipay cannot be asked to collect less than 0.01, so a free SKU would make an order
 * that can never be paid. Free orders are not a feature; a price of 0 is refused.
 */
export const MIN_PRICE = 1;

export class CreateSkuDto {
  @ApiPropertyOptional({ type: 'integer', nullable: true })
  @IsOptional() // documented nullable: null means "no SPU", the same as absent
  @IsInt()
  @Min(1)
  @Max(MAX_INT_ID)
  spuId?: number | null;

  @ApiProperty({ example: 'Mechanical keyboard, red switches' })
  @IsString()
  @TextLength(1, 200)
  title!: string;

  @ApiProperty({ type: 'integer', description: 'cents', example: 8880, minimum: MIN_PRICE })
  @IsInt()
  @Min(MIN_PRICE)
  @Max(MAX_PRICE)
  price!: number;

  @ApiProperty({ type: 'integer', example: 50 })
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  stock!: number;
}

export class UpdateSkuDto {
  @ApiPropertyOptional({ type: 'integer', description: 'cents', minimum: MIN_PRICE })
  @OptionalNonNull()
  @IsInt()
  @Min(MIN_PRICE)
  @Max(MAX_PRICE)
  price?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'added to stock; negative removes stock, never below lockedStock' })
  @OptionalNonNull()
  @IsInt()
  @Min(-MAX_STOCK)
  @Max(MAX_STOCK)
  @NotEquals(0)
  stockDelta?: number;
}

export class ListSkusQueryDto {
  @ApiPropertyOptional({ example: '1,2,3', description: 'comma-separated SKU ids (at most 100)' })
  @OptionalNonNull()
  @IsString()
  @IsIdList(100)
  ids?: string;
}
