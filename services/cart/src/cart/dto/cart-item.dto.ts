import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import { MAX_LINE_QUANTITY, OptionalNonNull, OrderLineDto } from '@shop/shared/nest';

/** Adds `quantity` (1–999) of a SKU; the resulting item is capped at 999 atomically in Redis. */
export class AddCartItemDto extends OrderLineDto {}

export class UpdateCartItemDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_LINE_QUANTITY })
  @OptionalNonNull()
  @IsInt()
  @Min(1)
  @Max(MAX_LINE_QUANTITY)
  quantity?: number;

  @ApiPropertyOptional()
  @OptionalNonNull()
  @IsBoolean()
  checked?: boolean;
}
