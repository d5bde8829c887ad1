import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_LINE_QUANTITY, OrderLineDto } from '@shop/shared/nest';

/** Adds `quantity` (1–999) of a SKU; the resulting item is capped at 999 atomically in Redis. */
export class AddCartItemDto extends OrderLineDto {}

export class UpdateCartItemDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LINE_QUANTITY })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_LINE_QUANTITY)
  quantity?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  checked?: boolean;
}
