import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { MAX_INT_ID } from './validation.decorators';

/** SPEC §4–6: a line's quantity is an integer 1–999, everywhere (cart, confirm, submit, locks). */
export const MAX_LINE_QUANTITY = 999;
export const MAX_SKU_ID = MAX_INT_ID; // SKU ids are INTEGER

/** `{skuId, quantity}` as every service validates it. */
export class OrderLineDto {
  @ApiProperty({ type: 'integer', example: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_SKU_ID)
  skuId!: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_LINE_QUANTITY })
  @IsInt()
  @Min(1)
  @Max(MAX_LINE_QUANTITY)
  quantity!: number;
}
