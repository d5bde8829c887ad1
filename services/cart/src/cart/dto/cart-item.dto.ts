import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_ITEM_QUANTITY } from '../cart.repository';

export class AddCartItemDto {
  @ApiProperty()
  @IsInt()
  @Min(1)
  @Max(2147483647)
  skuId!: number;

  @ApiProperty({ minimum: 1, maximum: MAX_ITEM_QUANTITY })
  @IsInt()
  @Min(1)
  @Max(MAX_ITEM_QUANTITY)
  quantity!: number;
}

export class UpdateCartItemDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_ITEM_QUANTITY })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ITEM_QUANTITY)
  quantity?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  checked?: boolean;
}
