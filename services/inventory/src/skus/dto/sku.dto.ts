import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min, NotEquals } from 'class-validator';

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
  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2147483647)
  spuId?: number | null;

  @ApiProperty({ example: 'Mechanical keyboard, red switches' })
  @IsString()
  @Length(1, 200)
  title!: string;

  @ApiProperty({ description: 'cents', example: 8880, minimum: MIN_PRICE })
  @IsInt()
  @Min(MIN_PRICE)
  @Max(MAX_PRICE)
  price!: number;

  @ApiProperty({ example: 50 })
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  stock!: number;
}

export class UpdateSkuDto {
  @ApiPropertyOptional({ description: 'cents', minimum: MIN_PRICE })
  @IsOptional()
  @IsInt()
  @Min(MIN_PRICE)
  @Max(MAX_PRICE)
  price?: number;

  @ApiPropertyOptional({ description: 'added to stock; negative removes stock, never below lockedStock' })
  @IsOptional()
  @IsInt()
  @Min(-MAX_STOCK)
  @Max(MAX_STOCK)
  @NotEquals(0)
  stockDelta?: number;
}

export class ListSkusQueryDto {
  @ApiPropertyOptional({ example: '1,2,3', description: 'comma-separated SKU ids (at most 100)' })
  @IsOptional()
  @IsString()
  @Matches(/^[1-9]\d{0,9}(,[1-9]\d{0,9}){0,99}$/, { message: 'ids must be up to 100 comma-separated positive integers' })
  ids?: string;
}
